/// The web app's Mustache templates, compiled into the program (a single binary installs
/// without a resource folder). One layout; each page fills its `main` block.
enum PageTemplates {
    static let all: [(name: String, text: String)] = [
        ("layout", layout), ("error", error), ("signin", signIn), ("inbox", inbox), ("fax", fax), ("send", send),
        ("sendPreview", sendPreview), ("jobs", jobs), ("job", job), ("monitor", monitor),
        ("admin", admin), ("adminConfiguration", adminConfiguration), ("adminDevices", adminDevices), ("adminDevice", adminDevice),
        ("deviceFields", deviceFields),        ("adminRoutes", adminRoutes), ("adminGroups", adminGroups),
        ("users", users), ("user", user), ("webhooks", webhooks), ("audit", audit),
        ("contacts", contacts), ("contact", contact), ("contactFields", contactFields),
    ]

    static let layout = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{#chrome}}{{title}}{{/chrome}} · Faxline</title>
        <link rel="stylesheet" href="/static/faxline.css">
        <script src="/static/faxline.js" defer></script>
        </head>
        <body>
        <a class="skip" href="#main">Skip to content</a>
        {{#chrome}}
        <header class="bar">
          <a class="brand" href="/inbox">Faxline</a>
          {{#userName}}
          <nav aria-label="Main"><ul>
            {{#nav}}<li><a href="{{href}}"{{#current}} aria-current="page"{{/current}}>{{label}}</a></li>{{/nav}}
          </ul></nav>
          <form method="post" action="/signout" class="signout">
            <input type="hidden" name="form_token" value="{{formToken}}">
            <span class="who" title="Signed in">{{userName}}{{#isAdmin}} · admin{{/isAdmin}}</span>
            <button type="submit" class="link">Sign out</button>
          </form>
          {{/userName}}
        </header>
        {{/chrome}}
        <main id="main" tabindex="-1">
        {{$main}}{{/main}}
        </main>
        </body>
        </html>
        """

    static let error = """
        {{<layout}}{{$main}}
        <section class="card narrow">
          <h1>{{heading}}</h1>
          <p>{{detail}}</p>
          <p><a href="/inbox">Back to the inbox</a></p>
        </section>
        {{/main}}{{/layout}}
        """

    static let signIn = """
        {{<layout}}{{$main}}
        <section class="card narrow signin">
          <h1>Sign in</h1>
          {{#message}}<p class="notice bad" role="alert">{{message}}</p>{{/message}}
          <form method="post" action="/signin">
            <input type="hidden" name="form_token" value="{{formToken}}">
            <input type="hidden" name="next" value="{{next}}">
            <label for="name">User name</label>
            <input id="name" name="name" autocomplete="username" autocapitalize="none" required value="{{name}}" autofocus>
            <label for="password">Password</label>
            <input id="password" name="password" type="password" autocomplete="current-password" required>
            <button type="submit" class="primary">Sign in</button>
          </form>
          <p class="hint">Forgot your password? An administrator sets a new one (<code>faxline users password NAME</code>).</p>
        </section>
        {{/main}}{{/layout}}
        """
}
