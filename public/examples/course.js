// The course page's side of batchlab's postMessage API (documented in docs/embedding.md).
const frame = document.getElementById('lab-frame');
const status = document.getElementById('frame-status');
// Errors have their own line, which the frequent state updates never overwrite; it is cleared
// when the learner asks for something new.
const errorLine = document.getElementById('frame-error');
// Messages go only to the iframe's own origin, and only its messages are read.
const frameOrigin = new URL(frame.src, location.href).origin;

function send(message) {
  frame.contentWindow?.postMessage(message, frameOrigin);
}

for (const button of document.querySelectorAll('.host-buttons button')) {
  button.addEventListener('click', () => {
    errorLine.hidden = true;
    errorLine.textContent = '';
    if (button.dataset.batch) send({ type: 'batchlab:set', params: { b: button.dataset.batch, play: 1 } });
    else if (button.dataset.command) send({ type: button.dataset.command });
  });
}

window.addEventListener('message', (event) => {
  if (event.source !== frame.contentWindow || event.origin !== frameOrigin) return;
  const data = event.data;
  if (data?.type === 'batchlab:ready') send({ type: 'batchlab:get' });
  if (data?.type === 'batchlab:state') {
    const runs = data.runs
      .map(
        (run) =>
          `B = ${run.batchSize}: loss ${run.datasetLoss === null ? '–' : run.datasetLoss.toFixed(4)} after ${run.epoch.toFixed(1)} epochs`,
      )
      .join('; ');
    status.textContent = `${data.playing ? 'Training' : 'Paused'}. ${runs}`;
  }
  // Grow the iframe with its content, so the learner never scrolls inside it.
  if (data?.type === 'batchlab:size' && Number.isFinite(data.height))
    frame.height = String(Math.min(Math.max(data.height, 200), 4000));
  if (data?.type === 'batchlab:error') {
    errorLine.textContent = `The iframe said: ${data.message}`;
    errorLine.hidden = false;
  }
});
