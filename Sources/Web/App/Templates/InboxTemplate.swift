extension PageTemplates {
    static let inbox = """
        {{<layout}}{{$main}}
        <div class="heading">
          <h1>Inbox</h1>
          <p class="count">{{summary}}</p>
        </div>
        <form class="filters" method="get" action="/inbox" role="search">
          <div class="field grow">
            <label for="q">Search caller or station id</label>
            <input id="q" name="q" type="search" value="{{search}}" placeholder="number, name or station id">
          </div>
          <div class="field">
            <label for="device">Device</label>
            <select id="device" name="device">
              <option value="">All my devices</option>
              {{#devices}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/devices}}
            </select>
          </div>
          <div class="field">
            <label for="status">Status</label>
            <select id="status" name="status">
              <option value="">Any</option>
              {{#statuses}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/statuses}}
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
            {{#filtered}}<a class="button quiet" href="/inbox">Clear</a>{{/filtered}}
          </div>
        </form>
        {{#empty}}<p class="empty">No faxes here{{#filtered}} that match{{/filtered}}.</p>{{/empty}}
        <ul class="faxes" aria-label="Received faxes">
          {{#faxes}}
          <li class="fax{{#unread}} unread{{/unread}}">
            <a class="thumb" href="{{href}}" tabindex="-1" aria-hidden="true">
              {{#thumbnail}}<img src="{{thumbnail}}" alt="" width="120" height="170" loading="lazy">{{/thumbnail}}
              {{^thumbnail}}<span class="nothumb">no pages</span>{{/thumbnail}}
            </a>
            <div class="what">
              <a class="from" href="{{href}}">{{#unread}}<span class="dot" title="unread">●</span><span class="sr">Unread: </span>{{/unread}}{{from}}</a>
              <span class="sub">{{detail}}</span>
            </div>
            <div class="meta">
              <time datetime="{{machineTime}}">{{time}}</time>
              <span>to {{device}}</span>
              <span>{{pages}}</span>
            </div>
            <div class="states">
              <span class="pill {{statusTone}}">{{status}}</span>
              <span class="pill plain">{{delivery}}</span>
            </div>
          </li>
          {{/faxes}}
        </ul>
        <nav class="pager" aria-label="Pages">
          {{#firstHref}}<a class="button quiet" href="{{firstHref}}">Newest</a>{{/firstHref}}
          {{#nextHref}}<a class="button" href="{{nextHref}}" rel="next">Older faxes</a>{{/nextHref}}
        </nav>
        {{/main}}{{/layout}}
        """
}
