extension PageTemplates {
    static let admin = """
        {{<layout}}{{$main}}
        <div class="heading"><h1>Administration</h1></div>
        <ul class="admin-areas">
          {{#links}}<li class="card"><a href="{{href}}">{{label}}</a><span class="sub">{{summary}}</span></li>{{/links}}
        </ul>
        {{/main}}{{/layout}}
        """

    static let adminConfiguration = """
        {{<layout}}{{$main}}
        <div class="heading"><h1>Configuration</h1></div>
        <p class="sub">What the server runs with: <code>{{filePath}}</code> and the defaults for every key it does not set.
          Read only — change the file and restart the server. Secrets show as ••••.</p>
        <div class="config">
          {{#sections}}
          <section class="card" aria-labelledby="section-{{name}}">
            <h2 id="section-{{name}}">[{{name}}]</h2>
            <dl class="details settings">
              {{#settings}}<dt>{{key}}</dt><dd>{{#isSecret}}<span class="secret">{{/isSecret}}{{value}}{{#isSecret}}</span>{{/isSecret}}{{#isEmpty}}<span class="empty">not set</span>{{/isEmpty}}</dd>{{/settings}}
            </dl>
          </section>
          {{/sections}}
        </div>
        {{/main}}{{/layout}}
        """

    static let adminDevices = """
        {{<layout}}{{$main}}
        <div class="heading"><h1>Devices</h1><a class="button quiet" href="/admin">Administration</a></div>
        {{#notice}}<p class="notice good" role="status">{{notice}}</p>{{/notice}}
        {{#message}}<p class="notice bad" role="alert">{{message}}</p>{{/message}}
        {{^devices}}<p class="empty">No fax devices yet.</p>{{/devices}}
        <ul class="admin-list" aria-label="Devices">
          {{#devices}}
          <li class="card">
            <div class="item-head">
              <h2><a href="{{href}}">{{extensionNumber}} · {{name}}</a></h2>
              <span class="pill {{tone}}">{{state}}</span>
            </div>
            <dl class="details">{{#details}}<dt>{{label}}</dt><dd>{{value}}</dd>{{/details}}</dl>
            <p class="actions"><a class="button quiet" href="{{href}}">Edit or remove</a></p>
          </li>
          {{/devices}}
        </ul>
        <section class="card" aria-labelledby="add-device">
          <h2 id="add-device">Add a device</h2>
          <form method="post" action="/admin/devices">
            <input type="hidden" name="form_token" value="{{chrome.formToken}}">
            {{#fields}}
            <div class="row">
              <div><label for="extension">Extension</label>
                <input id="extension" name="extension" inputmode="numeric" required value="{{extensionNumber}}"></div>
              <div><label for="name">Name</label><input id="name" name="name" required value="{{name}}"></div>
            </div>
            {{>deviceFields}}
            {{/fields}}
            <button type="submit" class="primary">Add device</button>
          </form>
        </section>
        {{/main}}{{/layout}}
        """

    /// The fields a device's add and edit forms share (inside `{{#fields}}`).
    static let deviceFields = """
        <label for="emails">Mail faxes to <span class="hint">(one address per line)</span></label>
        <textarea id="emails" name="emails" rows="2" required>{{emails}}</textarea>
        <div class="row bottom">
          <div><label for="format">Format</label>
            <select id="format" name="format">{{#formats}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/formats}}</select></div>
          <div><label for="group">Group <span class="hint">(optional)</span></label><input id="group" name="group" value="{{group}}"></div>
          <div><label for="station_id">Station id <span class="hint">(empty: the server's)</span></label>
            <input id="station_id" name="station_id" maxlength="20" value="{{stationID}}"></div>
          <div><label for="header">Page header <span class="hint">(optional)</span></label>
            <input id="header" name="header" maxlength="50" value="{{header}}"></div>
          <div><label for="retention_days">Keep faxes for days <span class="hint">(empty: default)</span></label>
            <input id="retention_days" name="retention_days" inputmode="numeric" value="{{retentionDays}}"></div>
        </div>
        <label class="check"><input type="checkbox" name="zero_retention" value="1"{{#zeroRetention}} checked{{/zeroRetention}}> Delete the pages once every mail of a fax went out</label>
        <label class="check"><input type="checkbox" name="enabled" value="1"{{#enabled}} checked{{/enabled}}> Takes calls</label>
        """

    static let adminDevice = """
        {{<layout}}{{$main}}
        {{#fields}}<div class="heading"><h1>Device {{extensionNumber}} · {{name}}</h1><a class="button quiet" href="/admin/devices">All devices</a></div>{{/fields}}
        {{#message}}<p class="notice bad" role="alert">{{message}}</p>{{/message}}
        <section class="card">
          <form method="post" action="{{href}}">
            <input type="hidden" name="form_token" value="{{chrome.formToken}}">
            {{#fields}}
            <label for="name">Name</label><input id="name" name="name" required value="{{name}}">
            {{>deviceFields}}
            {{/fields}}
            <p class="sub">Users of this device: {{users}} (set on the users page).</p>
            <button type="submit" class="primary">Save</button>
          </form>
        </section>
        <section class="card danger">
          <h2>Remove</h2>
          <form method="post" action="{{href}}/remove">
            <input type="hidden" name="form_token" value="{{chrome.formToken}}">
            <label class="check"><input type="checkbox" name="confirm" value="1" required> Remove this device (its faxes stay; refused while a route points at it)</label>
            <button type="submit" class="bad">Remove device</button>
          </form>
        </section>
        {{/main}}{{/layout}}
        """

    static let adminRoutes = """
        {{<layout}}{{$main}}
        <div class="heading"><h1>Routes</h1><a class="button quiet" href="/admin">Administration</a></div>
        {{#notice}}<p class="notice good" role="status">{{notice}}</p>{{/notice}}
        {{#message}}<p class="notice bad" role="alert">{{message}}</p>{{/message}}
        {{^faxingEnabled}}<p class="notice bad">Faxing is switched off: every call is refused.</p>{{/faxingEnabled}}
        {{#disabledGroups}}<p class="sub">Groups switched off: {{disabledGroups}}</p>{{/disabledGroups}}
        <p class="sub">A call is matched top to bottom: first a device whose extension is the called number or DID, then these rules, then the default route.
          Patterns are Asterisk's (<code>X</code> a digit, <code>N</code> 2–9, <code>[1-5]</code>, <code>.</code> one or more); <code>*</code> matches every call.</p>
        <ol class="rules" aria-label="Routing rules">
          <li class="card rule builtin"><span class="pos" title="Built in">–</span>
            <div class="what"><strong>called extension or DID</strong> → the device with that extension<span class="sub">built in</span></div></li>
          {{#rules}}
          <li class="card rule{{^enabled}} off{{/enabled}}" id="rule-{{id}}">
            <span class="pos" aria-label="Position">{{position}}</span>
            <div class="what">
              <strong>DID {{did}} · caller {{caller}}</strong> → {{action}}{{#continues}} <span class="pill plain">then keep looking</span>{{/continues}}
              {{^enabled}}<span class="pill bad">off</span>{{/enabled}}
              {{#description}}<span class="sub">{{description}}</span>{{/description}}
            </div>
            <div class="rule-actions">
              {{#canMoveUp}}<form method="post" action="{{href}}/move"><input type="hidden" name="form_token" value="{{chrome.formToken}}"><input type="hidden" name="direction" value="up"><button type="submit" class="quiet" aria-label="Move rule {{position}} up">↑ Up</button></form>{{/canMoveUp}}
              {{#canMoveDown}}<form method="post" action="{{href}}/move"><input type="hidden" name="form_token" value="{{chrome.formToken}}"><input type="hidden" name="direction" value="down"><button type="submit" class="quiet" aria-label="Move rule {{position}} down">↓ Down</button></form>{{/canMoveDown}}
              <form method="post" action="{{href}}/switch"><input type="hidden" name="form_token" value="{{chrome.formToken}}">{{^enabled}}<input type="hidden" name="enabled" value="1">{{/enabled}}<button type="submit" class="quiet" aria-label="Switch rule {{position}} {{#enabled}}off{{/enabled}}{{^enabled}}on{{/enabled}}">{{#enabled}}Switch off{{/enabled}}{{^enabled}}Switch on{{/enabled}}</button></form>
              <form method="post" action="{{href}}/remove"><input type="hidden" name="form_token" value="{{chrome.formToken}}"><button type="submit" class="quiet" aria-label="Remove rule {{position}}">Remove</button></form>
            </div>
          </li>
          {{/rules}}
          <li class="card rule builtin"><span class="pos" title="Last">–</span>
            <div class="what"><strong>default route</strong> → {{defaultRoute}}<span class="sub">faxes no rule claimed</span></div></li>
        </ol>
        <div class="two">
        <section class="card" aria-labelledby="add-rule">
          <h2 id="add-rule">Add a rule</h2>
          <form method="post" action="/admin/routes">
            <input type="hidden" name="form_token" value="{{chrome.formToken}}">
            {{#fields}}
            <div class="row bottom">
              <div><label for="did">DID pattern <span class="hint">(empty: any)</span></label><input id="did" name="did" value="{{did}}" placeholder="5550[1-3]XX"></div>
              <div><label for="caller">Caller pattern <span class="hint">(empty: any)</span></label><input id="caller" name="caller" value="{{caller}}" placeholder="1900."></div>
              <div><label for="action">Action</label>
                <select id="action" name="action"><option value="deliver">Deliver to a device</option><option value="reject"{{#reject}} selected{{/reject}}>Reject the call</option></select></div>
              <div><label for="to">Device <span class="hint">(to deliver to)</span></label>
                <select id="to" name="to"><option value="">—</option>{{#targets}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/targets}}</select></div>
              <div><label for="position">Position <span class="hint">(empty: last)</span></label><input id="position" name="position" inputmode="numeric" value="{{position}}"></div>
            </div>
            <label for="description">Description <span class="hint">(optional)</span></label><input id="description" name="description" maxlength="200" value="{{description}}">
            <label class="check"><input type="checkbox" name="continue" value="1"{{#continues}} checked{{/continues}}> Keep looking after a match (a copy to further devices)</label>
            <label class="check"><input type="checkbox" name="enabled" value="1"{{#enabled}} checked{{/enabled}}> Switched on</label>
            {{/fields}}
            <button type="submit" class="primary">Add rule</button>
          </form>
        </section>
        <section class="card" aria-labelledby="default-route">
          <h2 id="default-route">Default route and switch</h2>
          <form method="post" action="/admin/routes/default">
            <input type="hidden" name="form_token" value="{{chrome.formToken}}">
            <label for="default">Faxes no rule claims go to</label>
            <select id="default" name="default">{{#defaults}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/defaults}}</select>
            <label class="check"><input type="checkbox" name="faxing" value="1"{{#faxingEnabled}} checked{{/faxingEnabled}}> Faxing is on (off refuses every call)</label>
            <button type="submit">Save</button>
          </form>
        </section>
        </div>
        {{/main}}{{/layout}}
        """

    static let adminGroups = """
        {{<layout}}{{$main}}
        <div class="heading"><h1>Groups and retention</h1><a class="button quiet" href="/admin">Administration</a></div>
        {{#notice}}<p class="notice good" role="status">{{notice}}</p>{{/notice}}
        <section class="card">
          <h2>Kept by default</h2>
          <dl class="details">{{#policy}}<dt>{{label}}</dt><dd>{{value}}</dd>{{/policy}}</dl>
          <p class="sub">From <code>[retention]</code> in faxline.conf. A group's or a device's own period is {{minimumDays}} to {{maximumDays}} days; a device's wins over its group's.</p>
        </section>
        {{^groups}}<p class="empty">No groups yet. A group exists once a device is in it (set it on the device's page).</p>{{/groups}}
        <ul class="admin-list" aria-label="Groups">
          {{#groups}}
          <li class="card">
            <div class="item-head"><h2>{{name}}</h2>{{#enabled}}<span class="pill good">on</span>{{/enabled}}{{^enabled}}<span class="pill bad">off</span>{{/enabled}}</div>
            {{#message}}<p class="notice bad" role="alert">{{message}}</p>{{/message}}
            <dl class="details"><dt>Devices</dt><dd>{{devices}}</dd><dt>Retention</dt><dd>{{retention}}</dd></dl>
            <form method="post" action="{{href}}">
              <input type="hidden" name="form_token" value="{{chrome.formToken}}">
              <label for="days-{{name}}">Keep faxes for days <span class="hint">(empty: default)</span></label>
              <input id="days-{{name}}" name="retention_days" inputmode="numeric" value="{{retentionDays}}">
              <label class="check"><input type="checkbox" name="zero_retention" value="1"{{#zeroRetention}} checked{{/zeroRetention}}> Delete the pages once every mail of a fax went out</label>
              <label class="check"><input type="checkbox" name="enabled" value="1"{{#enabled}} checked{{/enabled}}> Its devices take calls</label>
              <button type="submit">Save {{name}}</button>
            </form>
          </li>
          {{/groups}}
        </ul>
        {{/main}}{{/layout}}
        """
}
