extension PageTemplates {
    static let send = """
        {{<layout}}{{$main}}
        <div class="heading"><h1>Send a fax</h1></div>
        {{#message}}<p class="notice bad" role="alert">{{message}}</p>{{/message}}
        <form class="send card" method="post" action="/send" enctype="multipart/form-data">
          <input type="hidden" name="form_token" value="{{chrome.formToken}}">
          <label for="numbers">Fax numbers <span class="hint">(one per line; several send the same fax to each)</span></label>
          <textarea id="numbers" name="numbers" rows="3"{{^hasContacts}} required{{/hasContacts}} autocomplete="off">{{numbers}}</textarea>
          {{#hasContacts}}
          <fieldset class="choices contacts" data-contact-picker>
            <legend>Contacts <span class="hint">(ticked ones are sent to as well)</span></legend>
            {{#contacts}}<label class="check" for="contact-{{id}}"><input type="checkbox" id="contact-{{id}}" name="contact" value="{{id}}"{{#checked}} checked{{/checked}}> <span>{{label}}<span class="sub">{{number}}</span></span></label>{{/contacts}}
          </fieldset>
          {{/hasContacts}}
          <div class="dropzone" data-dropzone>
            <label for="files">Documents <span class="hint">(PDF, TIFF, images, text, office files; in order)</span></label>
            <input id="files" name="file" type="file" multiple required>
            <p class="hint drop-hint">or drop files here</p>
          </div>
          <div class="row">
            <div class="field">
              <label for="device">Send as</label>
              <select id="device" name="device">
                {{#devices}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/devices}}
              </select>
            </div>
            <div class="field">
              <label for="priority">Priority</label>
              <select id="priority" name="priority">
                <option value="63">High</option>
                <option value="127" selected>Normal</option>
                <option value="190">Bulk</option>
              </select>
            </div>
            <div class="field">
              <label for="send_at">Send later <span class="hint">(server time; empty: now)</span></label>
              <input id="send_at" name="send_at" type="datetime-local">
            </div>
          </div>
          <label for="header">Page header <span class="hint">(empty: the device's)</span></label>
          <input id="header" name="header" maxlength="50">
          <label for="tag">Reference (tag) <span class="hint">(optional: your own, up to 50 characters; shown with the job and in its report)</span></label>
          <input id="tag" name="tag" maxlength="50" value="{{tag}}">
          <details class="cover">
            <summary>Cover page</summary>
            <label class="check"><input type="checkbox" name="cover" value="1" id="cover"> Add a cover page</label>
            <div class="row">
              <div class="field"><label for="cover_to">To</label><input id="cover_to" name="cover_to" maxlength="100"></div>
              <div class="field"><label for="cover_from">From</label><input id="cover_from" name="cover_from" maxlength="100" value="{{senderName}}"></div>
            </div>
            <label for="cover_subject">Subject</label>
            <input id="cover_subject" name="cover_subject" maxlength="200">
            <label for="cover_message">Message</label>
            <textarea id="cover_message" name="cover_message" rows="4" maxlength="4000"></textarea>
          </details>
          <button type="submit" class="primary">Preview</button>
          <p class="hint">Nothing is sent before you have seen the pages and confirmed.</p>
        </form>
        {{/main}}{{/layout}}
        """

    static let sendPreview = """
        {{<layout}}{{$main}}
        <div class="heading"><h1>Check and send</h1></div>
        <section class="card">
          <dl class="details">
            {{#details}}<dt>{{label}}</dt><dd>{{value}}</dd>{{/details}}
          </dl>
          <div class="actions">
            <form method="post" action="{{href}}/confirm">
              <input type="hidden" name="form_token" value="{{chrome.formToken}}">
              <button type="submit" class="primary">Send {{pagesText}}</button>
            </form>
            <form method="post" action="{{href}}/discard">
              <input type="hidden" name="form_token" value="{{chrome.formToken}}">
              <button type="submit" class="quiet">Discard</button>
            </form>
          </div>
        </section>
        <section class="preview" aria-label="Pages as they will be sent">
          {{#pages}}
          <figure class="page">
            <a href="{{full}}" target="_blank" rel="noopener"><img src="{{full}}" alt="Page {{number}} of {{count}}" loading="lazy"></a>
            <figcaption>Page {{number}} of {{count}}</figcaption>
          </figure>
          {{/pages}}
        </section>
        {{/main}}{{/layout}}
        """
}
