/// The app's style sheet and script, served from the binary (no build step, nothing fetched from outside).
enum AppAssets {
    /// The response for `/assets/NAME`.
    static func response(for name: String) -> AppResponse {
        switch name {
        case "app.css": AppResponse(status: 200, contentType: "text/css; charset=utf-8", body: Array(css.utf8))
        case "app.js": AppResponse(status: 200, contentType: "text/javascript; charset=utf-8", body: Array(script.utf8))
        default: .text("no asset \(name)", status: 404)
        }
    }

    /// System fonts; tables scroll sideways on narrow screens; visible focus; the RACI matrix's letters as toggles.
    static let css = """
        :root { color-scheme: light dark; --accent: #1f5fa8; --warn: #b35900; --bad: #b00020; --line: #8884; }
        * { box-sizing: border-box; }
        body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; line-height: 1.4; }
        header { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: baseline; padding: .75rem 1rem;
          border-bottom: 1px solid var(--line); }
        .brand { font-weight: 700; } .register { opacity: .8; }
        nav { display: flex; flex-wrap: wrap; gap: .25rem 1rem; }
        nav a[aria-current] { font-weight: 700; text-decoration: none; }
        main { padding: 1rem; max-width: 100rem; }
        a { color: var(--accent); }
        .skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; top: 1rem; }
        :focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
        .scroll { overflow-x: auto; max-width: 100%; }
        table { border-collapse: collapse; margin: .5rem 0 1rem; }
        th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
        caption { text-align: left; font-weight: 600; padding: .25rem 0; }
        .code { font-family: ui-monospace, monospace; font-size: .9em; }
        .subtitle { font-weight: 400; opacity: .8; }
        .facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
        .facts dt { font-weight: 600; } .facts dd { margin: 0; }
        .hint { opacity: .75; font-size: .9em; }
        .error { color: var(--bad); font-weight: 600; } .error:empty { display: none; }
        .overdue { color: var(--bad); }
        .raci td { min-width: 7rem; }
        .raci .letters { display: block; font-weight: 700; min-height: 1.2em; }
        .raci .title { display: block; font-size: .8em; opacity: .8; }
        .raci button.role { min-width: 2rem; min-height: 2rem; margin: .1rem; border: 1px solid var(--line);
          border-radius: .3rem; background: transparent; color: inherit; font-weight: 600; cursor: pointer; }
        .raci button.role[aria-pressed="true"] { background: var(--accent); color: #fff; border-color: var(--accent); }
        .raci tr.raci-warn .check { color: var(--warn); font-weight: 700; }
        .raci td.refused { outline: 3px solid var(--bad); }
        .ecosystem td.heat { font-weight: 600; }
        .ecosystem td.heat-good { background: #aceebb; color: #0a3d1a; }
        .ecosystem td.heat-partial { background: #fff1a8; color: #4d3800; }
        .ecosystem td.heat-poor { background: #ffc58a; color: #5c2500; }
        .ecosystem td.heat-missing { background: #ffb3ad; color: #6b0014; }
        .ecosystem td.flag { color: var(--bad); font-weight: 600; } .ecosystem .nw { white-space: nowrap; }
        .ecosystem .detail { display: block; font-size: .8em; opacity: .8; font-weight: normal; }
        .changed { animation: flash 3s ease-out; }
        @keyframes flash { from { background: #ffd54f; } to { background: transparent; } }
        .toasts { position: fixed; right: 1rem; bottom: 1rem; display: flex; flex-direction: column; gap: .5rem;
          z-index: 10; }
        .toast { background: #222; color: #fff; padding: .6rem 1rem; border-radius: .4rem; box-shadow: 0 2px 8px #0006; }
        details.edit form { display: grid; grid-template-columns: max-content minmax(8rem, 24rem); gap: .3rem .6rem;
          margin: .4rem 0; }
        details.edit form .error, details.edit form button { grid-column: 2; }
        input, select, button { font: inherit; }
        input[aria-invalid="true"], select[aria-invalid="true"] { border: 2px solid var(--bad); }
        .filters { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: end; }
        .conflict { border: 1px solid var(--line); border-radius: .4rem; padding: .5rem 1rem; margin: 1rem 0; }
        .sides { display: grid; grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr)); gap: 1rem; }
        .side .value { font-size: 1.15em; font-weight: 600; }
        .settle { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
        @media (max-width: 40rem) { main { padding: .5rem; } details.edit form { grid-template-columns: 1fr; }
          details.edit form .error, details.edit form button { grid-column: 1; } }
        """

    /// RACI toggles, forms that save in place, and live updates over server-sent events. Refusals appear next to
    /// what they concern, in the words the server (and `spi`) uses.
    static let script = """
        "use strict";
        const csrf = document.querySelector('meta[name="csrf-token"]').content;

        function toast(text) {
          const box = document.getElementById("toasts");
          const item = document.createElement("div");
          item.className = "toast";
          item.textContent = text;
          box.appendChild(item);
          setTimeout(() => item.remove(), 6000);
        }

        async function post(url, body) {
          const response = await fetch(url, {
            method: "POST", body, credentials: "same-origin",
            headers: { "X-CSRF-Token": csrf, "Accept": "application/json",
                       "Content-Type": "application/x-www-form-urlencoded" } });
          let data = {};
          try { data = await response.json(); } catch (e) { data = { ok: false, error: "the app answered " + response.status }; }
          if (!response.ok && data.ok === undefined) data.ok = false;
          return data;
        }

        // The RACI cell whose last edit was refused: marked until the next edit succeeds, across live refreshes.
        let refusedCell = null;

        // Replaces a region with new HTML (unless nothing changed), marks the cells whose text changed, and keeps the
        // keyboard focus on the same control.
        function swap(region, html) {
          const fresh = document.createElement("template");
          fresh.innerHTML = html;
          if (refusedCell) fresh.content.querySelector("#" + CSS.escape(refusedCell))?.classList.add("refused");
          if (fresh.innerHTML === region.innerHTML) return;
          const focused = region.contains(document.activeElement) ? document.activeElement : null;
          const label = focused && (focused.getAttribute("aria-label") || focused.id);
          const before = new Map();
          region.querySelectorAll("[data-cell]").forEach(c => before.set(c.id, c.textContent));
          region.innerHTML = fresh.innerHTML;
          region.querySelectorAll("[data-cell]").forEach(c => {
            if (before.has(c.id) && before.get(c.id) !== c.textContent) {
              c.classList.remove("changed"); void c.offsetWidth; c.classList.add("changed");
            }
          });
          if (label) {
            const again = [...region.querySelectorAll("[aria-label], [id]")]
              .find(e => e.getAttribute("aria-label") === label || e.id === label);
            if (again) again.focus();
          }
        }

        async function refreshRegion(region) {
          const url = region.dataset.live;
          const response = await fetch(url, { credentials: "same-origin" });
          if (!response.ok) return;
          const text = await response.text();
          if (/^\\s*<!doctype/i.test(text)) {
            const doc = new DOMParser().parseFromString(text, "text/html");
            const fresh = region.id && doc.getElementById(region.id);
            if (fresh) swap(region, fresh.innerHTML);
          } else {
            swap(region, text);
          }
        }

        async function refreshMain() {
          const response = await fetch(location.href, { credentials: "same-origin" });
          if (!response.ok) return;
          const doc = new DOMParser().parseFromString(await response.text(), "text/html");
          const fresh = doc.getElementById("main");
          if (fresh) document.getElementById("main").innerHTML = fresh.innerHTML;
        }

        document.addEventListener("click", async (event) => {
          const button = event.target.closest("button.role");
          if (!button || button.getAttribute("aria-busy") === "true") return;
          const table = button.closest("table.raci");
          const region = document.getElementById("raci");
          const error = document.getElementById("raci-error");
          const cell = button.closest("td");
          const on = button.getAttribute("aria-pressed") !== "true";
          const body = new URLSearchParams({ activity: button.dataset.activity, party: button.dataset.party,
                                             role: button.dataset.role, on: on ? "1" : "0", csrf });
          // Busy rather than disabled: a disabled button loses the keyboard focus.
          const label = button.getAttribute("aria-label");
          button.setAttribute("aria-busy", "true");
          const data = await post("/spis/" + encodeURIComponent(table.dataset.spi) + "/raci", body);
          button.removeAttribute("aria-busy");
          document.querySelectorAll(".raci td.refused").forEach(c => c.classList.remove("refused"));
          refusedCell = data.ok ? null : cell.id;
          if (data.ok) {
            error.textContent = "";
            swap(region, data.html);
            const again = [...region.querySelectorAll("button.role")].find(b => b.getAttribute("aria-label") === label);
            if (again && document.activeElement !== again) again.focus();
          } else {
            error.textContent = data.error;
            cell.classList.add("refused");
            button.focus();
          }
        });

        document.addEventListener("submit", async (event) => {
          const form = event.target.closest("form.async");
          if (!form) return;
          event.preventDefault();
          const body = new URLSearchParams(new FormData(form, event.submitter));
          form.querySelectorAll("[data-error-for]").forEach(e => e.textContent = "");
          form.querySelectorAll("[aria-invalid]").forEach(e => e.removeAttribute("aria-invalid"));
          const data = await post(form.action, body);
          if (data.ok) {
            toast("Saved");
            await refreshMain();
          } else {
            const field = data.field && form.querySelector('[data-error-for="' + data.field + '"]');
            (field || form.querySelector('[data-error-for=""]')).textContent = data.error;
            const input = data.field && form.querySelector('[name="' + data.field + '"]');
            if (input) { input.setAttribute("aria-invalid", "true"); input.focus(); }
          }
        });

        if (window.EventSource) {
          const events = new EventSource("/events");
          events.addEventListener("changes", async (event) => {
            const data = JSON.parse(event.data);
            if (!data.own) toast(data.message);
            for (const region of document.querySelectorAll("[data-live]")) await refreshRegion(region);
          });
          events.addEventListener("open", () => document.body.dataset.live = "connected");
        }
        """
}
