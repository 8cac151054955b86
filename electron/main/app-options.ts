/**
 * The app's own switches, read from its command line and environment (files to open are
 * read separately, in open-files.ts). The data folder comes from FARMHAND_HOME and the mDNS
 * interface from FARMHAND_MDNS_INTERFACE, as for every farmhand command.
 */
/** The app's identity: electron-builder's appId (build/electron-builder.yml; a test keeps them equal) and Windows' AppUserModelID, without which Windows shows no notification. */
export const APP_ID = 'org.farmhand.desktop';

export interface AppOptions {
  /** Find agents on the LAN over mDNS (`--no-discover`: only agents added by address). */
  discover: boolean;
  /** This machine renders too, through an embedded agent on loopback (`--no-local-agent`: not). */
  localAgent: boolean;
  /** FARMHAND_TEST_HOOKS=1: the Electron tests may read the tray's state from the main process. */
  testHooks: boolean;
}

export function appOptions(argv: readonly string[], env: Record<string, string | undefined>): AppOptions {
  return {
    discover: !argv.includes('--no-discover'),
    localAgent: !argv.includes('--no-local-agent'),
    testHooks: env.FARMHAND_TEST_HOOKS === '1',
  };
}
