import { useAppState, useSession } from '../../state/session-context';

/** Repairs of bad settings and other things the user should know, each dismissable. */
export function Notices() {
  const session = useSession();
  const notices = useAppState((s) => s.notices);
  if (notices.length === 0) return null;
  return (
    <section className="notices" aria-label="Notices">
      {notices.length > 2 ? (
        <button type="button" className="dismiss-all" onClick={() => session.dismissAllNotices()}>
          Dismiss all {notices.length} notices
        </button>
      ) : null}
      {notices.map((notice) => (
        <div key={notice.key} className="notice" role="status" data-notice={notice.key}>
          <span>{notice.message}</span>
          <button
            type="button"
            className="dismiss"
            aria-label="Dismiss this notice"
            onClick={() => session.dismissNotice(notice.key)}
          >
            ×
          </button>
        </div>
      ))}
    </section>
  );
}
