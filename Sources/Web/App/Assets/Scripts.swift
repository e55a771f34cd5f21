/// The web app's one script. Everything works without it; it adds live updates (a part of the
/// page marked `data-live` is fetched again every few seconds while it says so), dropping
/// files on the Send form and a filter box over its contacts.
enum Scripts {
    static let text = #"""
        "use strict";
        document.documentElement.classList.add("js");

        // Live parts: <section id="…" data-live="ms">. The page is fetched again and the part
        // replaced; an empty data-live in the new version stops the updates (the job ended).
        function refreshLive() {
          const live = document.querySelector("[data-live]");
          if (!live) return;
          const every = parseInt(live.getAttribute("data-live"), 10);
          if (!(every > 0)) return;
          setTimeout(async () => {
            try {
              const response = await fetch(location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } });
              if (response.ok) {
                const page = new DOMParser().parseFromString(await response.text(), "text/html");
                const fresh = page.getElementById(live.id);
                if (fresh) live.replaceWith(fresh);
                for (const name of ["kill", "retry"]) {
                  const now = page.querySelector(`form[action$="/${name}"]`), shown = document.querySelector(`form[action$="/${name}"]`);
                  if (!now && shown) shown.remove();
                }
              }
            } catch (error) { /* the next round tries again */ }
            refreshLive();
          }, every);
        }

        // Dropping files on the Send form puts them in its file input (which stays the way to
        // choose files without a mouse or without this script).
        function enableDropZone() {
          const zone = document.querySelector("[data-dropzone]");
          if (!zone) return;
          const input = zone.querySelector("input[type=file]");
          for (const name of ["dragenter", "dragover"]) {
            zone.addEventListener(name, (event) => { event.preventDefault(); zone.classList.add("over"); });
          }
          for (const name of ["dragleave", "drop"]) {
            zone.addEventListener(name, () => zone.classList.remove("over"));
          }
          zone.addEventListener("drop", (event) => {
            event.preventDefault();
            if (!event.dataTransfer || event.dataTransfer.files.length === 0) return;
            const files = new DataTransfer();
            for (const file of input.files) files.items.add(file);
            for (const file of event.dataTransfer.files) files.items.add(file);
            input.files = files.files;
          });
        }

        // A filter box over the Send form's contacts: only those whose name, company or number
        // contains what is typed stay shown (ticked ones always do).
        function enableContactFilter() {
          const picker = document.querySelector("[data-contact-picker]");
          if (!picker) return;
          const label = document.createElement("label");
          label.htmlFor = "contact-filter";
          label.textContent = "Find a contact";
          const box = document.createElement("input");
          box.id = "contact-filter";
          box.type = "search";
          box.autocomplete = "off";
          box.placeholder = "name, company or number";
          picker.before(label, box);
          box.addEventListener("input", () => {
            const wanted = box.value.trim().toLowerCase();
            for (const choice of picker.querySelectorAll("label.check")) {
              const ticked = choice.querySelector("input").checked;
              choice.hidden = wanted !== "" && !ticked && !choice.textContent.toLowerCase().includes(wanted);
            }
          });
        }

        document.addEventListener("DOMContentLoaded", () => { refreshLive(); enableDropZone(); enableContactFilter(); });
        """#
}
