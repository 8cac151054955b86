/** The API's defaults, kept apart from the server so the command line's options can name them without loading it. */

export const DEFAULT_API_PORT = 7400;

/** Big enough for a heavy scene or a long master; a farm that needs more sets --upload-limit. */
export const DEFAULT_UPLOAD_LIMIT_BYTES = 8 * 1024 ** 3;
