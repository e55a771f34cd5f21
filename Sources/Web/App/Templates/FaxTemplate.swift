extension PageTemplates {
    static let fax = """
        {{<layout}}{{$main}}
        <div class="heading">
          <h1>Fax from {{from}}</h1>
          <span class="pill {{statusTone}}">{{status}}</span>
        </div>
        {{#notice}}<p class="notice good" role="status">{{notice}}</p>{{/notice}}
        <div class="fax-layout">
          <section class="pages" aria-label="Pages">
            {{#hasPDF}}
            <p class="actions">
              <a class="button" href="{{pdfHref}}" target="_blank" rel="noopener">View PDF</a>
              <a class="button quiet" href="{{pdfHref}}?download=1" download>Download PDF</a>
            </p>
            {{/hasPDF}}
            {{^hasPDF}}<p class="empty">No pages are kept for this fax{{#explanation}} ({{explanation}}){{/explanation}}.</p>{{/hasPDF}}
            {{#pages}}
            <figure class="page">
              <a href="{{full}}" target="_blank" rel="noopener" title="Open page {{number}} at full size">
                <img src="{{full}}" alt="Page {{number}} of {{count}}" loading="lazy">
              </a>
              <figcaption>Page {{number}} of {{count}} · <a href="{{full}}" target="_blank" rel="noopener">zoom</a></figcaption>
            </figure>
            {{/pages}}
          </section>
          <aside class="side">
            <section class="card">
              <h2>Details</h2>
              <dl class="details">
                {{#details}}<dt>{{label}}</dt><dd>{{value}}</dd>{{/details}}
              </dl>
            </section>
            <section class="card">
              <h2>Note and tags</h2>
              <form method="post" action="{{href}}/note">
                <input type="hidden" name="form_token" value="{{chrome.formToken}}">
                <label for="note">Note</label>
                <textarea id="note" name="note" rows="3" maxlength="2000">{{note}}</textarea>
                <label for="tags">Tags <span class="hint">(separated by commas)</span></label>
                <input id="tags" name="tags" value="{{tags}}">
                <button type="submit">Save</button>
              </form>
            </section>
            <section class="card">
              <h2>Deliveries</h2>
              {{^deliveries}}<p class="empty">Not mailed.</p>{{/deliveries}}
              <ul class="plain">
                {{#deliveries}}
                <li><strong>{{address}}</strong> ({{format}}) <span class="pill {{tone}}">{{state}}</span>
                  <span class="sub">{{attempts}}{{#error}} · {{error}}{{/error}}</span></li>
                {{/deliveries}}
              </ul>
              {{#canResend}}
              <form method="post" action="{{href}}/mail">
                <input type="hidden" name="form_token" value="{{chrome.formToken}}">
                <label for="to">Mail again to <span class="hint">(empty: the device's addresses)</span></label>
                <input id="to" name="to" type="email" multiple placeholder="{{recipients}}">
                <button type="submit">Mail again</button>
              </form>
              {{/canResend}}
            </section>
            <section class="card">
              <h2>Call timeline</h2>
              {{^events}}<p class="empty">No events recorded.</p>{{/events}}
              <ol class="timeline">
                {{#events}}<li class="{{tone}}"><span class="at">{{time}}</span> <span class="kind">{{kind}}</span> <span class="text">{{text}}</span></li>{{/events}}
              </ol>
            </section>
            {{#canDelete}}
            <section class="card danger">
              <h2>Delete</h2>
              <form method="post" action="{{href}}/delete">
                <input type="hidden" name="form_token" value="{{chrome.formToken}}">
                <label class="check"><input type="checkbox" name="confirm" value="1" required> Delete this fax and its pages for everyone</label>
                <button type="submit" class="bad">Delete fax</button>
              </form>
            </section>
            {{/canDelete}}
          </aside>
        </div>
        {{/main}}{{/layout}}
        """
}
