/// The administration pages for people: users, one user with their tokens, webhooks, the
/// audit log. Tables turn into one card per row on a phone (`table.records`, each cell
/// labelled by `data-label`).
extension PageTemplates {
    static let users = """
        {{<layout}}{{$main}}
        <div class="heading"><h1>Users</h1><p class="count">{{count}}</p><a class="button" href="#add-user">Add a user</a></div>
        {{#notice}}<p class="notice good" role="status">{{notice}}</p>{{/notice}}
        {{#message}}<p class="notice bad" role="alert">{{message}}</p>{{/message}}
        <table class="records" aria-label="Users">
          <thead><tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Devices</th>
            <th scope="col">State</th><th scope="col">Password</th><th scope="col">Last sign-in</th></tr></thead>
          <tbody>
          {{#users}}
          <tr>
            <th scope="row" data-label="Name"><a href="{{href}}">{{name}}</a>{{#displayName}}<span class="sub">{{displayName}}</span>{{/displayName}}</th>
            <td data-label="Email">{{email}}</td>
            <td data-label="Role">{{#isAdmin}}<span class="pill busy">administrator</span>{{/isAdmin}}{{^isAdmin}}user{{/isAdmin}}</td>
            <td data-label="Devices">{{devices}}</td>
            <td data-label="State">{{#isEnabled}}<span class="pill good">enabled</span>{{/isEnabled}}{{^isEnabled}}<span class="pill bad">disabled</span>{{/isEnabled}}</td>
            <td data-label="Password">{{password}}</td>
            <td data-label="Last sign-in">{{lastSignIn}}</td>
          </tr>
          {{/users}}
          </tbody>
        </table>
        {{^users}}<p class="empty">No users yet.</p>{{/users}}
        <section class="card" id="add-user">
          <h2>Add a user</h2>
          <form method="post" action="/admin/users">
            <input type="hidden" name="form_token" value="{{chrome.formToken}}">
            {{#new}}
            <div class="row">
              <div class="field">
                <label for="name">Login name <span class="hint">(lowercase letters, digits, . _ - @)</span></label>
                <input id="name" name="name" required maxlength="64" autocapitalize="none" autocomplete="off" value="{{name}}">
              </div>
              <div class="field">
                <label for="display_name">Display name <span class="hint">(optional)</span></label>
                <input id="display_name" name="display_name" maxlength="100" value="{{displayName}}">
              </div>
              <div class="field">
                <label for="email">Email</label>
                <input id="email" name="email" type="email" required value="{{email}}">
              </div>
            </div>
            <label class="check"><input type="checkbox" id="admin" name="admin" value="1"{{#isAdmin}} checked{{/isAdmin}}> Administrator: sees and manages everything</label>
            {{/new}}
            <fieldset class="choices">
              <legend>Devices the user owns <span class="hint">(their faxes, and sending as them)</span></legend>
              {{#devices}}<label class="check" for="{{id}}"><input type="checkbox" id="{{id}}" name="device" value="{{value}}"{{#checked}} checked{{/checked}}> {{label}}</label>{{/devices}}
              {{^devices}}<p class="empty">No fax devices yet.</p>{{/devices}}
            </fieldset>
            <label for="password">Initial password <span class="hint">(at least {{minimumPassword}} characters; empty: tokens only)</span></label>
            <input id="password" name="password" type="password" autocomplete="new-password">
            <button type="submit" class="primary">Add user</button>
          </form>
        </section>
        {{/main}}{{/layout}}
        """

    static let user = """
        {{<layout}}{{$main}}
        <div class="heading">
          <h1>User {{name}}</h1>
          {{#isAdmin}}<span class="pill busy">administrator</span>{{/isAdmin}}
          {{#isEnabled}}<span class="pill good">enabled</span>{{/isEnabled}}{{^isEnabled}}<span class="pill bad">disabled</span>{{/isEnabled}}
          <a class="button quiet" href="/admin/users">All users</a>
        </div>
        {{#notice}}<p class="notice good" role="status">{{notice}}</p>{{/notice}}
        {{#message}}<p class="notice bad" role="alert">{{message}}</p>{{/message}}
        {{#issued}}
        <section class="card secret" aria-labelledby="issued-heading">
          <h2 id="issued-heading">API token {{id}}</h2>
          <label for="issued-token">Copy it now; it is not shown again</label>
          <input id="issued-token" class="token" readonly value="{{text}}">
        </section>
        {{/issued}}
        <div class="columns">
          <section class="card">
            <h2>Details</h2>
            <dl class="details">
              <dt>Password</dt><dd>{{password}}</dd>
              <dt>Created</dt><dd>{{created}}</dd>
              <dt>Last sign-in</dt><dd>{{lastSignIn}}</dd>
              {{#lockedUntil}}<dt>Sign-in</dt><dd><span class="pill bad">locked until {{lockedUntil}}</span></dd>{{/lockedUntil}}
            </dl>
            {{#lockedUntil}}
            <form method="post" action="{{href}}/unlock">
              <input type="hidden" name="form_token" value="{{chrome.formToken}}">
              <button type="submit">Lift the sign-in lock</button>
            </form>
            {{/lockedUntil}}
            <h2 class="spaced">Change</h2>
            <form method="post" action="{{href}}">
              <input type="hidden" name="form_token" value="{{chrome.formToken}}">
              <label for="email">Email</label>
              <input id="email" name="email" type="email" required value="{{email}}">
              <label for="display_name">Display name <span class="hint">(optional)</span></label>
              <input id="display_name" name="display_name" maxlength="100" value="{{displayName}}">
              <label class="check"><input type="checkbox" id="admin" name="admin" value="1"{{#isAdmin}} checked{{/isAdmin}}> Administrator</label>
              {{#isSelf}}<p class="hint">You cannot take your own administration; another administrator can.</p>{{/isSelf}}
              <fieldset class="choices">
                <legend>Devices</legend>
                {{#devices}}<label class="check" for="{{id}}"><input type="checkbox" id="{{id}}" name="device" value="{{value}}"{{#checked}} checked{{/checked}}> {{label}}</label>{{/devices}}
                {{^devices}}<p class="empty">No fax devices yet.</p>{{/devices}}
              </fieldset>
              <button type="submit" class="primary">Save</button>
            </form>
          </section>
          <div>
            <section class="card">
              <h2>Set a new password</h2>
              <p class="hint">There is no "forgot password" link: the user asks an administrator, who sets a new one here.</p>
              <form method="post" action="{{href}}/password">
                <input type="hidden" name="form_token" value="{{chrome.formToken}}">
                <label for="new_password">New password <span class="hint">(at least {{minimumPassword}} characters)</span></label>
                <input id="new_password" name="password" type="password" autocomplete="new-password" required>
                <label for="confirm_password">The same again</label>
                <input id="confirm_password" name="confirm" type="password" autocomplete="new-password" required>
                <button type="submit">Set password</button>
              </form>
            </section>
            {{^isSelf}}
            <section class="card">
              <h2>{{#isEnabled}}Disable{{/isEnabled}}{{^isEnabled}}Enable{{/isEnabled}}</h2>
              {{#isEnabled}}
              <form method="post" action="{{href}}/disable">
                <input type="hidden" name="form_token" value="{{chrome.formToken}}">
                <p class="hint">No sign-in, their tokens refused; everything is kept.</p>
                <button type="submit">Disable user</button>
              </form>
              {{/isEnabled}}
              {{^isEnabled}}
              <form method="post" action="{{href}}/enable">
                <input type="hidden" name="form_token" value="{{chrome.formToken}}">
                <button type="submit">Enable user</button>
              </form>
              {{/isEnabled}}
            </section>
            <section class="card danger">
              <h2>Remove</h2>
              <form method="post" action="{{href}}/remove">
                <input type="hidden" name="form_token" value="{{chrome.formToken}}">
                <label class="check"><input type="checkbox" id="confirm_remove" name="confirm" value="1" required> Remove {{name}} and their tokens (devices, faxes and jobs stay)</label>
                <button type="submit" class="bad">Remove user</button>
              </form>
            </section>
            {{/isSelf}}
          </div>
        </div>
        <section class="card" id="tokens">
          <h2>API tokens</h2>
          {{^tokens}}<p class="empty">No API tokens.</p>{{/tokens}}
          {{#hasTokens}}
          <table class="records" aria-label="API tokens">
            <thead><tr><th scope="col">Id</th><th scope="col">Scope</th><th scope="col">State</th><th scope="col">Created</th>
              <th scope="col">Expires</th><th scope="col">Last used</th><th scope="col">Label</th><th scope="col"><span class="sr">Revoke</span></th></tr></thead>
            <tbody>
            {{#tokens}}
            <tr>
              <th scope="row" data-label="Id">{{id}}</th>
              <td data-label="Scope">{{scope}}</td>
              <td data-label="State"><span class="pill {{tone}}">{{state}}</span></td>
              <td data-label="Created">{{created}}</td>
              <td data-label="Expires">{{expires}}</td>
              <td data-label="Last used">{{lastUsed}}</td>
              <td data-label="Label">{{label}}</td>
              <td class="action">{{#isRevocable}}
                <form method="post" action="{{href}}/tokens/{{id}}/revoke">
                  <input type="hidden" name="form_token" value="{{chrome.formToken}}">
                  <button type="submit" class="quiet">Revoke <span class="sr">token {{id}}</span></button>
                </form>{{/isRevocable}}</td>
            </tr>
            {{/tokens}}
            </tbody>
          </table>
          {{/hasTokens}}
          <h2 class="spaced">Create a token</h2>
          <form method="post" action="{{href}}/tokens">
            <input type="hidden" name="form_token" value="{{chrome.formToken}}">
            <div class="row">
              <div class="field">
                <label for="scope">Scope</label>
                <select id="scope" name="scope">{{#scopes}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/scopes}}</select>
              </div>
              <div class="field">
                <label for="expires_days">Expires after <span class="hint">(days; 0: never)</span></label>
                <input id="expires_days" name="expires_days" type="number" min="0" max="{{maximumLifetimeDays}}" value="{{defaultLifetimeDays}}" required>
              </div>
              <div class="field">
                <label for="label">Label <span class="hint">(what it is for)</span></label>
                <input id="label" name="label" maxlength="100">
              </div>
            </div>
            <button type="submit" class="primary">Create token</button>
          </form>
        </section>
        {{/main}}{{/layout}}
        """

    static let webhooks = """
        {{<layout}}{{$main}}
        <div class="heading"><h1>Webhooks</h1><a class="button" href="#add-webhook">Add a webhook</a></div>
        {{#notice}}<p class="notice good" role="status">{{notice}}</p>{{/notice}}
        {{#message}}<p class="notice bad" role="alert">{{message}}</p>{{/message}}
        {{#added}}{{#secret}}
        <section class="card secret" aria-labelledby="secret-heading">
          <h2 id="secret-heading">Signing secret of {{url}}</h2>
          <label for="added-secret">Copy it now; it is not shown again</label>
          <input id="added-secret" class="token" readonly value="{{secret}}">
        </section>
        {{/secret}}{{/added}}
        <table class="records" aria-label="Webhooks">
          <thead><tr><th scope="col">URL</th><th scope="col">Owner</th><th scope="col">Events</th><th scope="col">State</th>
            <th scope="col">Created</th><th scope="col"><span class="sr">Actions</span></th></tr></thead>
          <tbody>
          {{#webhooks}}
          <tr>
            <th scope="row" data-label="URL" class="url">{{url}}<span class="sub">{{shortID}}</span></th>
            <td data-label="Owner">{{owner}}</td>
            <td data-label="Events">{{events}}</td>
            <td data-label="State"><span class="pill {{tone}}">{{state}}</span></td>
            <td data-label="Created">{{created}}</td>
            <td class="action">
              <a class="button quiet" href="{{deliveriesHref}}">Deliveries</a>
              <form method="post" action="/admin/webhooks/{{id}}/remove">
                <input type="hidden" name="form_token" value="{{chrome.formToken}}">
                <button type="submit" class="quiet">Remove <span class="sr">{{url}}</span></button>
              </form>
            </td>
          </tr>
          {{/webhooks}}
          </tbody>
        </table>
        {{^webhooks}}<p class="empty">No webhooks.</p>{{/webhooks}}
        <section class="card" id="add-webhook">
          <h2>Add a webhook</h2>
          <form method="post" action="/admin/webhooks">
            <input type="hidden" name="form_token" value="{{chrome.formToken}}">
            <label for="url">URL <span class="hint">(http or https; a user's URL may reach only public addresses)</span></label>
            <input id="url" name="url" type="url" required maxlength="2000" value="{{new.url}}" autocomplete="off">
            <div class="row">
              <div class="field">
                <label for="owner">Owner</label>
                <select id="owner" name="owner">
                  <option value="">Global: every fax and job</option>
                  {{#owners}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/owners}}
                </select>
              </div>
              <div class="field">
                <label for="secret">Secret <span class="hint">(at least {{minimumSecret}} characters; empty: one is made and shown once)</span></label>
                <input id="secret" name="secret" type="password" autocomplete="off" maxlength="200">
              </div>
            </div>
            <fieldset class="choices">
              <legend>Events <span class="hint">(none ticked: all)</span></legend>
              {{#events}}<label class="check" for="{{id}}"><input type="checkbox" id="{{id}}" name="event" value="{{value}}"{{#checked}} checked{{/checked}}> {{label}}</label>{{/events}}
            </fieldset>
            <button type="submit" class="primary">Add webhook</button>
          </form>
        </section>
        <section id="deliveries">
          <div class="heading"><h2>Deliveries</h2></div>
          <form class="filters" method="get" action="/admin/webhooks#deliveries">
            <div class="field">
              <label for="delivery-webhook">Webhook</label>
              <select id="delivery-webhook" name="webhook">
                <option value="">All</option>
                {{#deliveryWebhooks}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/deliveryWebhooks}}
              </select>
            </div>
            <div class="field">
              <label for="delivery-state">State</label>
              <select id="delivery-state" name="state">
                <option value="">Any</option>
                {{#deliveryStates}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/deliveryStates}}
              </select>
            </div>
            <div class="field buttons">
              <button type="submit">Filter</button>
              {{#filtered}}<a class="button quiet" href="/admin/webhooks#deliveries">Clear</a>{{/filtered}}
            </div>
          </form>
          {{^deliveries}}<p class="empty">No deliveries{{#filtered}} that match{{/filtered}}.</p>{{/deliveries}}
          {{#hasDeliveries}}
          <table class="records" aria-label="Webhook deliveries">
            <thead><tr><th scope="col">Event</th><th scope="col">About</th><th scope="col">To</th><th scope="col">When</th>
              <th scope="col">State</th><th scope="col">Result</th><th scope="col"><span class="sr">Replay</span></th></tr></thead>
            <tbody>
            {{#deliveries}}
            <tr>
              <th scope="row" data-label="Event">{{event}}<span class="sub">{{shortID}}</span></th>
              <td data-label="About">{{#subjectHref}}<a href="{{subjectHref}}">{{subject}}</a>{{/subjectHref}}{{^subjectHref}}{{subject}}{{/subjectHref}}</td>
              <td data-label="To" class="url">{{url}}</td>
              <td data-label="When">{{occurred}}</td>
              <td data-label="State"><span class="pill {{tone}}">{{state}}</span><span class="sub">{{attempts}}</span></td>
              <td data-label="Result">{{result}}</td>
              <td class="action">
                <form method="post" action="{{replayHref}}">
                  <input type="hidden" name="form_token" value="{{chrome.formToken}}">
                  <button type="submit" class="quiet">Replay <span class="sr">{{shortID}}</span></button>
                </form>
              </td>
            </tr>
            {{/deliveries}}
            </tbody>
          </table>
          {{/hasDeliveries}}
        </section>
        {{/main}}{{/layout}}
        """

    static let audit = """
        {{<layout}}{{$main}}
        <div class="heading"><h1>Audit log</h1><p class="count">{{summary}}</p></div>
        <form class="filters" method="get" action="/admin/audit" role="search">
          <div class="field grow">
            <label for="actor">Who <span class="hint">(name contains)</span></label>
            <input id="actor" name="actor" type="search" value="{{actor}}" maxlength="100" autocomplete="off">
          </div>
          <div class="field">
            <label for="action">Action</label>
            <select id="action" name="action">
              <option value="">Any</option>
              {{#actions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/actions}}
            </select>
          </div>
          <div class="field">
            <label for="since">From</label>
            <input id="since" name="since" type="date" value="{{since}}">
          </div>
          <div class="field">
            <label for="until">To</label>
            <input id="until" name="until" type="date" value="{{until}}">
          </div>
          <div class="field buttons">
            <button type="submit">Filter</button>
            {{#filtered}}<a class="button quiet" href="/admin/audit">Clear</a>{{/filtered}}
          </div>
        </form>
        {{#empty}}<p class="empty">No entries{{#filtered}} that match{{/filtered}}.</p>{{/empty}}
        {{^empty}}
        <table class="records audit" aria-label="Audit log">
          <thead><tr><th scope="col">When</th><th scope="col">Action</th><th scope="col">Who</th><th scope="col">What</th></tr></thead>
          <tbody>
          {{#entries}}
          <tr>
            <td data-label="When"><time datetime="{{machineTime}}">{{time}}</time></td>
            <td data-label="Action"><span class="pill {{tone}}">{{action}}</span></td>
            <td data-label="Who">{{actor}}</td>
            <td data-label="What" class="summary">{{summary}}</td>
          </tr>
          {{/entries}}
          </tbody>
        </table>
        {{/empty}}
        <nav class="pager" aria-label="Pages">
          {{#firstHref}}<a class="button quiet" href="{{firstHref}}">Newest</a>{{/firstHref}}
          {{#nextHref}}<a class="button" href="{{nextHref}}" rel="next">Older entries</a>{{/nextHref}}
        </nav>
        {{/main}}{{/layout}}
        """
}
