import { useEffect, useState } from 'react';
import { desktopFiles } from '../../client/desktop-files.js';
import { useFarmClient } from '../../farm-client-context.js';
import { pushNotice } from '../../stores/notices-store.js';
import { useSubmitStore } from '../../stores/submit-store.js';
import { useUiStore } from '../../stores/ui-store.js';
import { prepareFile, preparePath } from './prepare-file.js';

/**
 * Makes the whole window a drop target for a .blend or a video (listening on `window`, so a
 * drop anywhere counts, dialogs included), and routes the desktop app's opened files into the
 * same flow. Shows a hint while a file is dragged over, and what is being done with a dropped
 * file (upload progress, reading) until the submit dialog opens; the dialog shows it itself.
 */
export function WindowDropTarget() {
  const client = useFarmClient();
  const [dragging, setDragging] = useState(false);
  const preparing = useSubmitStore((s) => s.preparing);
  const submitOpen = useUiStore((s) => s.submitOpen);

  useEffect(() => {
    let depth = 0; // dragenter/dragleave fire for every element crossed; count them to know when the drag left the window
    const carriesFiles = (e: DragEvent) => Array.from(e.dataTransfer?.types ?? []).includes('Files');
    const onEnter = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      depth++;
      setDragging(true);
    };
    const onOver = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      e.preventDefault(); // without this the browser opens the file itself instead of dropping it here
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    };
    const onLeave = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setDragging(false);
    };
    const onDrop = (e: DragEvent) => {
      if (!carriesFiles(e)) return;
      e.preventDefault();
      depth = 0;
      setDragging(false);
      const files = Array.from(e.dataTransfer?.files ?? []);
      if (files.length === 0) return;
      if (files.length > 1) pushNotice('info', `One file is submitted at a time; taking "${files[0]!.name}".`);
      void prepareFile(client, files[0]!);
    };
    window.addEventListener('dragenter', onEnter);
    window.addEventListener('dragover', onOver);
    window.addEventListener('dragleave', onLeave);
    window.addEventListener('drop', onDrop);
    return () => {
      window.removeEventListener('dragenter', onEnter);
      window.removeEventListener('dragover', onOver);
      window.removeEventListener('dragleave', onLeave);
      window.removeEventListener('drop', onDrop);
    };
  }, [client]);

  useEffect(() => desktopFiles()?.onOpenFile((path) => void preparePath(client, path)), [client]);

  return (
    <>
      {dragging ? (
        <div className="drop-overlay" aria-hidden="true">
          <p>Drop a Blender scene (.blend) or a video to submit it</p>
        </div>
      ) : null}
      <p className="preparing-status" role="status">{preparing && !submitOpen ? preparing : ''}</p>
    </>
  );
}
