extension PageTemplates {
    static let jobs = """
        {{<layout}}{{$main}}
        <div class="heading"><h1>Outbox</h1><a class="button" href="/send">Send a fax</a></div>
        {{#filter}}<p class="sub">{{filter}} · <a href="/jobs">all jobs</a></p>{{/filter}}
        <section id="live" data-live="{{refresh}}">
        {{^jobs}}<p class="empty">{{#filter}}No jobs with this tag.{{/filter}}{{^filter}}No faxes sent yet.{{/filter}}</p>{{/jobs}}
        <ul class="jobs" aria-label="Jobs">
          {{#jobs}}
          <li class="job">
            <a class="number" href="{{href}}">{{number}}</a>
            <span class="sub">{{from}} · {{submitted}}{{#tag}} · <span class="job-tag">{{tag}}</span>{{/tag}}</span>
            <span class="progress">{{progress}}</span>
            <span class="pill {{tone}}">{{state}}</span>
          </li>
          {{/jobs}}
        </ul>
        </section>
        <nav class="pager" aria-label="Pages">
          {{#firstHref}}<a class="button quiet" href="{{firstHref}}">Newest</a>{{/firstHref}}
          {{#nextHref}}<a class="button" href="{{nextHref}}" rel="next">Older jobs</a>{{/nextHref}}
        </nav>
        {{/main}}{{/layout}}
        """

    static let job = """
        {{<layout}}{{$main}}
        <div class="heading"><h1>Fax to {{number}}</h1></div>
        {{#notice}}<p class="notice good" role="status">{{notice}}</p>{{/notice}}
        <section id="live" data-live="{{refresh}}" aria-live="polite">
          <div class="card status-card">
            <span class="pill big {{tone}}" data-state="{{stateValue}}">{{state}}</span>
            <span class="progress big">{{progress}}</span>
            {{#reason}}<p class="sub">{{reason}}</p>{{/reason}}
            <progress max="{{pageCount}}" value="{{pagesDone}}" aria-label="Pages sent">{{pagesDone}} of {{pageCount}}</progress>
          </div>
          <div class="card">
            <h2>Details</h2>
            <dl class="details">{{#details}}<dt>{{label}}</dt><dd>{{value}}</dd>{{/details}}</dl>
          </div>
          <div class="card">
            <h2>Calls</h2>
            {{^calls}}<p class="empty">Not dialed yet.</p>{{/calls}}
            <ol class="plain">
              {{#calls}}<li><strong>{{started}}</strong> · {{outcome}}<span class="sub">{{detail}}</span></li>{{/calls}}
            </ol>
          </div>
        </section>
        <div class="actions">
          {{#canKill}}
          <form method="post" action="{{href}}/kill">
            <input type="hidden" name="form_token" value="{{chrome.formToken}}">
            <button type="submit" class="bad">Stop sending</button>
          </form>
          {{/canKill}}
          {{#canRetry}}
          <form method="post" action="{{href}}/retry">
            <input type="hidden" name="form_token" value="{{chrome.formToken}}">
            <button type="submit">Try again</button>
          </form>
          {{/canRetry}}
          {{#broadcastHref}}<a class="button quiet" href="{{broadcastHref}}">All numbers of this fax</a>{{/broadcastHref}}
          {{#tagHref}}<a class="button quiet" href="{{tagHref}}">All jobs with this tag</a>{{/tagHref}}
        </div>
        {{/main}}{{/layout}}
        """

    static let monitor = """
        {{<layout}}{{$main}}
        <div class="heading"><h1>Monitor</h1></div>
        <section id="live" data-live="3000" aria-live="polite">
          <div class="stats">
            {{#counts}}<div class="stat card"><span class="value">{{value}}</span><span class="label">{{label}}</span></div>{{/counts}}
          </div>
          {{#warnings}}<p class="notice bad">{{.}}</p>{{/warnings}}
          {{#outbound}}<p class="sub">{{outbound}}</p>{{/outbound}}
          <div class="card">
            <h2>Lines</h2>
            {{^lines}}<p class="empty">No lines configured.</p>{{/lines}}
            <table class="lines">
              <thead><tr><th scope="col">Line</th><th scope="col">State</th><th scope="col">For</th></tr></thead>
              <tbody>
              {{#lines}}<tr><th scope="row">{{name}}</th><td><span class="pill {{tone}}">{{state}}</span></td><td>{{since}}</td></tr>{{/lines}}
              </tbody>
            </table>
          </div>
          <p class="sub">Faxline {{version}}, running since {{startedAt}}.</p>
        </section>
        {{/main}}{{/layout}}
        """
}
