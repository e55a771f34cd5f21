/// The styles of the administration pages for people (users, tokens, webhooks, the audit log),
/// served as part of the one stylesheet: record tables that become one card per row on a
/// phone, checkbox lists, a secret shown once.
enum PeopleStyleSheet {
    static let text = #"""

        table.records { width: 100%; border-collapse: collapse; background: var(--card); border: 1px solid var(--line);
          border-radius: var(--radius); margin-bottom: 1rem; font-size: .95rem; }
        .card table.records { border: 0; }
        table.records th, table.records td { text-align: left; vertical-align: top; padding: .5rem .6rem; border-bottom: 1px solid var(--line); }
        table.records thead th { font-size: .85rem; color: var(--muted); font-weight: 600; }
        table.records tbody th { font-weight: 600; }
        table.records .url, table.records .summary { overflow-wrap: anywhere; word-break: break-word; }
        table.records td.action { white-space: nowrap; text-align: right; }
        table.records td.action form { display: inline; }
        table.records td.action button, table.records td.action .button { margin: 0 0 0 .25rem; padding: .3rem .7rem; font-size: .875rem; }
        table.audit td:first-child { white-space: nowrap; }
        fieldset.choices { border: 1px solid var(--line); border-radius: var(--radius); margin: .9rem 0 0; padding: .25rem 1rem .6rem;
          display: grid; grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr)); gap: 0 1rem; }
        fieldset.choices legend { font-weight: 600; padding: 0 .3rem; }
        fieldset.choices.contacts { max-height: 16rem; overflow-y: auto; align-items: start; }
        fieldset.choices.contacts label.check { align-items: flex-start; padding: .2rem 0; }
        fieldset.choices.contacts label.check[hidden] { display: none; }
        fieldset.choices.contacts input { margin-top: .25rem; }
        fieldset.choices label.check { margin: .4rem 0 0; }
        .columns { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 0 1rem; align-items: start; }
        h2.spaced { margin-top: 1.5rem; }
        .secret { border: 2px solid var(--good); background: var(--good-bg); }
        .secret input.token { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .9rem; }

        @media (max-width: 760px) {
          .columns { grid-template-columns: 1fr; }
          table.records, table.records tbody, table.records tr, table.records th, table.records td { display: block; width: 100%; }
          table.records { border: 0; background: none; }
          table.records thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
          table.records tr { background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); padding: .5rem .75rem;
            margin-bottom: .6rem; }
          .card table.records tr { border-color: var(--line); }
          table.records th, table.records td { border: 0; padding: .15rem 0; }
          /* Label and value side by side: a row is a short card, not a column of lines. */
          table.records [data-label] { display: grid; grid-template-columns: 6.5rem minmax(0, 1fr); gap: 0 .75rem; align-items: baseline; }
          table.records [data-label] > * { grid-column: 2; justify-self: start; }
          table.records [data-label]::before { content: attr(data-label); grid-column: 1; font-size: .75rem; font-weight: 600;
            color: var(--muted); text-transform: uppercase; letter-spacing: .03em; }
          table.records td.action { text-align: left; white-space: normal; padding-top: .4rem; }
          table.records td.action button, table.records td.action .button { margin: 0 .4rem 0 0; }
        }
        """#
}
