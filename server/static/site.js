// Every page: suggestions under the header's search box (and under the fields that name a
// place, an actor, a source or an article), read from /api/search as one types.
// Nothing here may fetch from another machine: analysts work offline.
(function () {
  "use strict";

  var header = document.getElementById("search-box");
  var endpoint = header ? header.dataset.suggest : "/api/search";
  var KINDS = { place: ["place"], actor: ["actor", "source"], source: ["source", "actor"],
                agency: ["source", "actor"], term: ["place", "actor", "source"], article: ["article"] };

  function attach(input, list, navigate) {
    var timer = null, items = [], active = -1, asked = 0;
    var wanted = KINDS[input.dataset.kind] || null;

    function close() { list.hidden = true; list.replaceChildren(); items = []; active = -1; }

    function choose(item) {
      if (navigate) {
        window.location.href = item.href;
      } else {
        input.value = item.kind === "article" ? item.path.replace(/^article\//, "") : item.label;
        close();
      }
    }

    function show(found) {
      list.replaceChildren();
      items = found.filter(function (f) { return !wanted || wanted.indexOf(f.kind) >= 0; });
      items.forEach(function (f, i) {
        f.href = "/resource/" + f.path;
        var li = document.createElement("li");
        li.setAttribute("role", "option");
        var name = document.createElement("span");
        name.textContent = f.label;
        var kind = document.createElement("span");
        kind.className = "kind " + f.kind;
        kind.textContent = f.kind;
        var context = document.createElement("span");
        context.className = "muted";
        context.textContent = f.context;
        li.append(name, kind, context);
        li.addEventListener("mousedown", function (event) { event.preventDefault(); choose(f); });
        li.dataset.index = i;
        list.appendChild(li);
      });
      list.hidden = items.length === 0;
      active = -1;
    }

    function ask() {
      var text = input.value.trim();
      if (!text) { close(); return; }
      var mine = ++asked;
      fetch(endpoint + "?" + new URLSearchParams({ q: text, limit: 12 }))
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (found) { if (mine === asked) show(found); })
        .catch(function () {});
    }

    function highlight(i) {
      var lis = list.querySelectorAll("li");
      lis.forEach(function (li) { li.classList.remove("active"); });
      if (i >= 0 && i < lis.length) lis[i].classList.add("active");
      active = i;
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 120);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) return;
      if (event.key === "ArrowDown") { event.preventDefault(); highlight(Math.min(active + 1, items.length - 1)); }
      else if (event.key === "ArrowUp") { event.preventDefault(); highlight(Math.max(active - 1, -1)); }
      else if (event.key === "Enter" && active >= 0) { event.preventDefault(); choose(items[active]); }
      else if (event.key === "Escape") { close(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  if (header) attach(header, document.getElementById("suggestions"), true);
  document.querySelectorAll("input.entity").forEach(function (input) {
    var list = document.createElement("ul");
    list.className = "suggestions";
    list.hidden = true;
    input.insertAdjacentElement("afterend", list);
    input.parentElement.style.position = "relative";
    attach(input, list, false);
  });
})();
