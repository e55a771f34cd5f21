extension PageTemplates {
    static let contacts = """
        {{<layout}}{{$main}}
        <div class="heading"><h1>Contacts</h1><a class="button" href="#add-contact">Add a contact</a></div>
        {{#notice}}<p class="notice good" role="status">{{notice}}</p>{{/notice}}
        {{#message}}<p class="notice bad" role="alert">{{message}}</p>{{/message}}
        <form class="filters" method="get" action="/contacts" role="search">
          <div class="field">
            <label for="q">Search</label>
            <input id="q" name="q" type="search" value="{{search}}" maxlength="100" placeholder="name, company or number">
          </div>
          {{#mayListEverybody}}
          <div class="field">
            <label class="check" for="all"><input type="checkbox" id="all" name="all" value="1"{{#everybody}} checked{{/everybody}}> Every user's contacts</label>
          </div>
          {{/mayListEverybody}}
          <div class="field buttons">
            <button type="submit">Search</button>
            {{#search}}<a class="button quiet" href="/contacts">Clear</a>{{/search}}
          </div>
        </form>
        {{#summary}}<p class="hint">{{summary}}</p>{{/summary}}
        {{^empty}}
        <table class="records" aria-label="Contacts">
          <thead><tr><th scope="col">Name</th><th scope="col">Company</th><th scope="col">Fax number</th><th scope="col">Whose</th>
            <th scope="col"><span class="sr">Actions</span></th></tr></thead>
          <tbody>
          {{#contacts}}
          <tr>
            <th scope="row" data-label="Name">{{name}}{{#note}}<span class="sub">{{note}}</span>{{/note}}</th>
            <td data-label="Company">{{company}}</td>
            <td data-label="Fax number" class="number">{{number}}</td>
            <td data-label="Whose">{{owner}}</td>
            <td class="action">
              <a class="button quiet" href="{{sendHref}}">Send <span class="sr">to {{name}}</span></a>
              {{#editHref}}
              <a class="button quiet" href="{{editHref}}">Edit <span class="sr">{{name}}</span></a>
              <form method="post" action="{{editHref}}/remove">
                <input type="hidden" name="form_token" value="{{chrome.formToken}}">
                <button type="submit" class="quiet">Remove <span class="sr">{{name}}</span></button>
              </form>
              {{/editHref}}
            </td>
          </tr>
          {{/contacts}}
          </tbody>
        </table>
        {{/empty}}
        {{#empty}}<p class="empty">No contacts{{#search}} that match{{/search}}.</p>{{/empty}}
        <nav class="pager" aria-label="Pages">
          {{#firstHref}}<a class="button quiet" href="{{firstHref}}">First page</a>{{/firstHref}}
          {{#nextHref}}<a class="button" href="{{nextHref}}" rel="next">More contacts</a>{{/nextHref}}
        </nav>
        <section class="card" id="add-contact">
          <h2>Add a contact</h2>
          <form method="post" action="/contacts">
            <input type="hidden" name="form_token" value="{{chrome.formToken}}">
            {{#new}}{{>contactFields}}
            {{#mayShare}}<label class="check" for="shared"><input type="checkbox" id="shared" name="shared" value="1"{{#shared}} checked{{/shared}}> Shared with everybody</label>{{/mayShare}}
            {{/new}}
            <button type="submit" class="primary">Add contact</button>
          </form>
        </section>
        {{/main}}{{/layout}}
        """

    static let contact = """
        {{<layout}}{{$main}}
        <div class="heading"><h1>Edit contact</h1><a class="button quiet" href="/contacts">Back to the contacts</a></div>
        {{#message}}<p class="notice bad" role="alert">{{message}}</p>{{/message}}
        <section class="card">
          <p class="hint">Whose: {{owner}}</p>
          <form method="post" action="{{action}}">
            <input type="hidden" name="form_token" value="{{chrome.formToken}}">
            {{#fields}}{{>contactFields}}{{/fields}}
            <button type="submit" class="primary">Save</button>
          </form>
        </section>
        {{/main}}{{/layout}}
        """

    /// The fields of the add and edit forms.
    static let contactFields = """
        <div class="row">
          <div class="field">
            <label for="name">Name</label>
            <input id="name" name="name" required maxlength="100" value="{{name}}" autocomplete="off">
          </div>
          <div class="field">
            <label for="company">Company <span class="hint">(optional)</span></label>
            <input id="company" name="company" maxlength="100" value="{{company}}" autocomplete="off">
          </div>
          <div class="field">
            <label for="number">Fax number</label>
            <input id="number" name="number" type="tel" required maxlength="64" value="{{number}}" autocomplete="off">
          </div>
        </div>
        <label for="note">Note <span class="hint">(optional)</span></label>
        <textarea id="note" name="note" rows="2" maxlength="500">{{note}}</textarea>
        """
}
