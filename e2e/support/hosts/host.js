// Records what the embedded iframe posts, so the tests can read it (window.batchlabMessages).
const received = [];
window.batchlabMessages = received;
window.addEventListener('message', (event) => {
  if (typeof event.data === 'object' && event.data && String(event.data.type).startsWith('batchlab:'))
    received.push({ origin: event.origin, data: event.data });
});
