/// The one stylesheet: system fonts, a light palette with AA contrast, one column on a phone,
/// two on a desktop.
enum StyleSheet {
    static let text = #"""
        :root {
          --ink: #1c2430; --muted: #4f5b6b; --line: #d5dbe3; --paper: #f4f6f9; --card: #ffffff;
          --accent: #0b5cad; --accent-ink: #ffffff; --good: #1d6b35; --good-bg: #e3f3e8; --bad: #a3261d; --bad-bg: #fbe6e4;
          --warn: #7a4b00; --warn-bg: #fff1d6; --busy: #0b4f94; --busy-bg: #e1eefc; --plain-bg: #eceff3;
          --radius: 8px; --focus: 3px solid #f0a500;
        }
        * { box-sizing: border-box; }
        html { font-size: 16px; }
        body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; color: var(--ink);
          background: var(--paper); line-height: 1.45; }
        a { color: var(--accent); }
        a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible, summary:focus-visible {
          outline: var(--focus); outline-offset: 2px; }
        h1 { font-size: 1.5rem; margin: 0; overflow-wrap: anywhere; }
        h2 { font-size: 1.05rem; margin: 0 0 .6rem; }
        code { font-size: .9em; }
        .skip { position: absolute; left: -999px; top: 0; background: var(--card); padding: .5rem 1rem; z-index: 10; }
        .skip:focus { left: .5rem; }
        .sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }

        .bar { display: flex; flex-wrap: wrap; align-items: center; gap: .25rem 1rem; padding: .5rem 1rem; background: #14304f; color: #fff; }
        .bar a { color: #fff; text-decoration: none; }
        .brand { font-weight: 700; font-size: 1.15rem; margin-right: .5rem; }
        .bar nav ul { display: flex; flex-wrap: wrap; gap: .25rem; list-style: none; margin: 0; padding: 0; }
        .bar nav a { display: block; padding: .4rem .7rem; border-radius: 6px; }
        .bar nav a:hover { background: rgba(255,255,255,.12); }
        .bar nav a[aria-current="page"] { background: #fff; color: #14304f; font-weight: 600; }
        .signout { margin-left: auto; display: flex; align-items: center; gap: .5rem; }
        .who { color: #dbe6f3; font-size: .9rem; }
        button.link { background: none; border: 1px solid rgba(255,255,255,.5); color: #fff; padding: .3rem .7rem; }
        .signout button { margin-top: 0; }

        main { max-width: 1240px; margin: 0 auto; padding: 1rem; }
        main:focus { outline: none; }
        .heading { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1rem; margin: .25rem 0 1rem; }
        .heading .count { margin: 0; color: var(--muted); }
        .heading .button { margin-left: auto; }
        .card { background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); padding: 1rem; margin-bottom: 1rem; }
        .narrow { max-width: 26rem; margin: 2rem auto; }
        .empty, .hint, .sub { color: var(--muted); }
        .hint { font-size: .875rem; font-weight: normal; }
        .sub { display: block; font-size: .875rem; overflow-wrap: anywhere; }
        .notice { padding: .6rem .9rem; border-radius: var(--radius); }
        .notice.bad { background: var(--bad-bg); color: var(--bad); }
        .notice.good { background: var(--good-bg); color: var(--good); }

        label { display: block; font-weight: 600; margin: .75rem 0 .25rem; }
        label.check { font-weight: normal; display: flex; gap: .5rem; align-items: center; }
        input, select, textarea { font: inherit; color: inherit; width: 100%; padding: .5rem .6rem; border: 1px solid #8a96a6;
          border-radius: 6px; background: #fff; }
        input[type="checkbox"] { width: auto; }
        textarea { resize: vertical; }
        button, .button { display: inline-block; font: inherit; font-weight: 600; padding: .5rem 1rem; border-radius: 6px; cursor: pointer;
          border: 1px solid var(--accent); background: #fff; color: var(--accent); text-decoration: none; line-height: 1.3; }
        button.primary, .button.primary { background: var(--accent); color: var(--accent-ink); }
        button.quiet, .button.quiet { border-color: var(--line); color: var(--ink); }
        button.bad { border-color: var(--bad); color: #fff; background: var(--bad); }
        form button { margin-top: .9rem; }
        .signin button { width: 100%; }
        .actions { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin-top: .75rem; }
        .actions form button { margin-top: 0; }
        .row { display: grid; grid-template-columns: repeat(auto-fit, minmax(12rem, 1fr)); gap: 0 1rem; }

        .filters { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: flex-end; background: var(--card);
          border: 1px solid var(--line); border-radius: var(--radius); padding: .25rem 1rem .9rem; margin-bottom: 1rem; }
        .filters .field { flex: 1 1 9rem; min-width: 0; }
        .filters .grow { flex: 3 1 14rem; }
        .filters .buttons { flex: 0 0 auto; display: flex; gap: .5rem; }
        .filters .buttons button { margin-top: 0; }

        .pill { display: inline-block; padding: .1rem .55rem; border-radius: 999px; font-size: .8rem; font-weight: 600; white-space: nowrap;
          background: var(--plain-bg); color: var(--ink); }
        .pill.good { background: var(--good-bg); color: var(--good); }
        .pill.bad { background: var(--bad-bg); color: var(--bad); }
        .pill.warn { background: var(--warn-bg); color: var(--warn); }
        .pill.busy { background: var(--busy-bg); color: var(--busy); }
        .pill.big { font-size: 1rem; padding: .25rem .8rem; }

        .faxes, .jobs, ul.plain, ol.plain { list-style: none; margin: 0; padding: 0; }
        .fax { display: grid; grid-template-columns: 72px 1fr auto auto; gap: .25rem 1rem; align-items: center; background: var(--card);
          border: 1px solid var(--line); border-radius: var(--radius); padding: .6rem .8rem; margin-bottom: .5rem; }
        .fax.unread { border-left: 5px solid var(--accent); }
        .fax.unread .from { font-weight: 700; }
        .thumb img, .nothumb { display: block; width: 72px; height: 102px; object-fit: cover; object-position: top; border: 1px solid var(--line);
          background: #fff; }
        .nothumb { font-size: .7rem; color: var(--muted); display: flex; align-items: center; justify-content: center; text-align: center; }
        .what { min-width: 0; }
        .from { font-size: 1.05rem; text-decoration: none; color: var(--ink); overflow-wrap: anywhere; }
        .from:hover { text-decoration: underline; }
        .dot { color: var(--accent); margin-right: .3rem; font-size: .8rem; }
        .meta { display: flex; flex-direction: column; font-size: .875rem; color: var(--muted); text-align: right; }
        .states { display: flex; flex-direction: column; gap: .3rem; align-items: flex-end; }
        .pager { display: flex; gap: .5rem; justify-content: center; margin: 1rem 0; }

        .job { display: grid; grid-template-columns: 1fr auto auto; gap: .2rem 1rem; align-items: center; background: var(--card);
          border: 1px solid var(--line); border-radius: var(--radius); padding: .6rem .8rem; margin-bottom: .5rem; }
        .job .number { font-weight: 600; font-size: 1.05rem; }
        .job .sub { grid-column: 1; }
        .job .progress { grid-row: 1 / span 2; grid-column: 2; color: var(--muted); }
        .job .pill { grid-row: 1 / span 2; grid-column: 3; }
        .status-card { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; }
        .status-card progress { width: 100%; height: .8rem; }
        .progress.big { font-size: 1.2rem; font-weight: 600; }

        .fax-layout { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 1rem; align-items: start; }
        .page { margin: 0 0 1rem; background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); padding: .5rem; }
        .page img { display: block; width: 100%; height: auto; background: #fff; }
        .page figcaption { text-align: center; font-size: .875rem; color: var(--muted); padding-top: .4rem; }
        .preview { display: grid; grid-template-columns: repeat(auto-fill, minmax(16rem, 1fr)); gap: 1rem; }
        .details { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; margin: 0; }
        .details dt { color: var(--muted); }
        .details dd { margin: 0; overflow-wrap: anywhere; }
        .timeline { list-style: none; margin: 0; padding: 0 0 0 .8rem; border-left: 3px solid var(--line); font-size: .9rem; }
        .timeline li { margin: 0 0 .45rem; overflow-wrap: anywhere; }
        .timeline .at { color: var(--muted); font-variant-numeric: tabular-nums; }
        .timeline .kind { font-weight: 600; }
        .timeline li.phase .kind { color: var(--busy); }
        .timeline li.page .kind { color: var(--good); }
        .danger { border-color: #e3b4af; }
        .tags .tag { display: inline-block; background: var(--plain-bg); border-radius: 4px; padding: 0 .4rem; margin-right: .25rem; font-size: .8rem; }

        .send .dropzone { border: 2px dashed #8a96a6; border-radius: var(--radius); padding: .25rem 1rem 1rem; margin-top: .75rem; }
        .send .dropzone.over { border-color: var(--accent); background: var(--busy-bg); }
        .drop-hint { display: none; margin: .5rem 0 0; }
        .js .drop-hint { display: block; }
        details.cover { margin-top: 1rem; border: 1px solid var(--line); border-radius: var(--radius); padding: .5rem 1rem 1rem; }
        details.cover summary { font-weight: 600; cursor: pointer; }

        .stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr)); gap: 1rem; margin-bottom: 1rem; }
        .stat { margin: 0; display: flex; flex-direction: column; }
        .stat .value { font-size: 1.6rem; font-weight: 700; }
        .stat .label { color: var(--muted); font-size: .9rem; }
        table.lines { width: 100%; border-collapse: collapse; }
        table.lines th, table.lines td { text-align: left; padding: .45rem .5rem; border-bottom: 1px solid var(--line); }

        .admin-areas, .admin-list, .rules { list-style: none; margin: 0 0 1rem; padding: 0; }
        .admin-areas { display: grid; grid-template-columns: repeat(auto-fill, minmax(16rem, 1fr)); gap: 1rem; }
        .admin-areas .card { margin: 0; }
        .admin-areas a { font-weight: 600; font-size: 1.1rem; }
        .admin-list { display: grid; grid-template-columns: repeat(auto-fill, minmax(20rem, 1fr)); gap: 1rem; }
        .admin-list .card { margin: 0; min-width: 0; }
        .item-head { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: .5rem; margin-bottom: .5rem; }
        .item-head h2 { margin: 0; overflow-wrap: anywhere; }
        .rule { display: grid; grid-template-columns: 2.5rem minmax(0, 1fr) auto; gap: .5rem 1rem; align-items: center; padding: .6rem .8rem;
          margin-bottom: .5rem; }
        .rule .pos { font-size: 1.2rem; font-weight: 700; text-align: center; color: var(--muted); }
        .rule .what { min-width: 0; overflow-wrap: anywhere; }
        .rule.off .what strong { color: var(--muted); }
        .rule.builtin { background: var(--plain-bg); }
        .rule-actions { display: flex; flex-wrap: wrap; gap: .4rem; justify-content: flex-end; }
        .rule-actions form button { margin-top: 0; padding: .3rem .7rem; }
        .two { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 1rem; align-items: start; }
        .config { display: grid; grid-template-columns: repeat(auto-fill, minmax(22rem, 1fr)); gap: 0 1rem; align-items: start; }
        .row.bottom { align-items: end; }
        .settings { align-items: baseline; }
        .settings dt { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .9rem; color: var(--ink); }
        .settings .empty { font-style: italic; }

        @media (max-width: 760px) {
          .admin-list, .config, .two { grid-template-columns: minmax(0, 1fr); }
          .rule { grid-template-columns: 2rem minmax(0, 1fr); }
          .rule-actions { grid-column: 1 / -1; justify-content: flex-start; }
          main { padding: .75rem; }
          .bar { padding: .5rem .75rem; }
          .signout { margin-left: 0; width: 100%; justify-content: space-between; }
          .fax { grid-template-columns: 64px 1fr; }
          .thumb { grid-row: 1 / span 3; }
          .thumb img, .nothumb { width: 64px; height: 90px; }
          .meta { flex-direction: row; flex-wrap: wrap; gap: 0 .75rem; text-align: left; }
          .states { flex-direction: row; align-items: center; }
          .fax-layout { grid-template-columns: 1fr; }
          .job { grid-template-columns: 1fr auto; }
          .job .progress { grid-row: 3; grid-column: 1; }
          .job .pill { grid-row: 1; grid-column: 2; }
          .details { grid-template-columns: 1fr; gap: 0; }
          .details dd { margin-bottom: .4rem; }
        }
        """#
}
