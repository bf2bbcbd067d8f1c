// The editor page: YASGUI when its files are installed (npm ci), else a plain editor.
// Nothing here may fetch from another machine: analysts work offline.
(function () {
  "use strict";

  var page = JSON.parse(document.getElementById("kg-page").textContent);
  var endpoint = new URL(page.endpoint, window.location.href).href;
  var examples = {};
  page.examples.forEach(function (q) { examples[q.name] = q; });

  var START =
    "PREFIX ckg: <" + page.prefixes.ckg + ">\n" +
    "PREFIX rdfs: <" + page.prefixes.rdfs + ">\n\n" +
    "# Claims and the sentences that make them\n" +
    "SELECT ?claim ?type ?sentence WHERE {\n" +
    "  ?claim a ckg:Claim ;\n" +
    "         ckg:claimType ?type ;\n" +
    "         ckg:sentenceText ?sentence .\n" +
    "}\nLIMIT 20\n";

  // Our own IRIs have a page on this server: follow those links here, not on the web.
  function localPage(iri) {
    if (iri.indexOf(page.base) !== 0 || iri.length === page.base.length) return null;
    return page.resource + iri.slice(page.base.length);
  }

  function startYasgui(root) {
    var Yasgui = window.Yasgui;
    // The "class" and "property" completers ask a web service (LOV): keep the local ones.
    Yasgui.Yasqe.defaults.autocompleters = ["variables", "prefixes"];
    var yasgui = new Yasgui(root, {
      persistenceId: "kg_" + window.location.host,
      requestConfig: { endpoint: endpoint, method: "POST" },
      copyEndpointOnNewTab: true,
      endpointCatalogueOptions: {
        getData: function () { return [{ endpoint: endpoint }]; },
        keys: [],
      },
      yasqe: { value: START, prefixCcApi: null },
      yasr: { prefixes: page.prefixes },
    });
    root.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest("a[href]") : null;
      var local = link ? localPage(link.href) : null;
      if (local) {
        event.preventDefault();
        window.open(local, "_blank", "noopener");
      }
    });
    window.kgYasgui = yasgui; // for tests and the browser console
    return function run(query) {
      var tab = yasgui.addTab(true, {
        name: query.title,
        yasqe: { value: query.query },
        requestConfig: { endpoint: endpoint },
      });
      tab.query().catch(function () {});
    };
  }

  // -- the plain editor ------------------------------------------------------------------

  function termCell(term) {
    var cell = document.createElement("td");
    if (!term) return cell;
    var local = term.type === "uri" ? localPage(term.value) : null;
    if (local) {
      var link = document.createElement("a");
      link.href = local;
      link.textContent = term.value;
      cell.appendChild(link);
    } else {
      cell.textContent = term.value;
    }
    return cell;
  }

  function resultTable(json) {
    var table = document.createElement("table");
    var head = table.createTHead().insertRow();
    json.head.vars.forEach(function (name) {
      var th = document.createElement("th");
      th.textContent = "?" + name;
      head.appendChild(th);
    });
    var body = table.createTBody();
    json.results.bindings.forEach(function (binding) {
      var row = body.insertRow();
      json.head.vars.forEach(function (name) { row.appendChild(termCell(binding[name])); });
    });
    return table;
  }

  function showAnswer(results, status, response, payload) {
    results.replaceChildren();
    if (typeof payload === "string") {
      var pre = document.createElement("pre");
      pre.textContent = payload;
      results.appendChild(pre);
      status.textContent = "Done";
    } else if ("boolean" in payload) {
      var p = document.createElement("p");
      p.className = "boolean";
      p.textContent = String(payload.boolean);
      results.appendChild(p);
      status.textContent = "Done";
    } else {
      results.appendChild(resultTable(payload));
      var count = payload.results.bindings.length;
      status.textContent = count === 1 ? "1 row" : count + " rows";
    }
  }

  function startFallback(form) {
    var textarea = document.getElementById("query");
    var results = document.getElementById("results");
    var status = document.getElementById("status");
    textarea.value = START;

    function run(query) {
      status.textContent = "Running…";
      fetch(endpoint, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          Accept: "application/sparql-results+json, text/turtle;q=0.9",
        },
        body: new URLSearchParams({ query: query }),
      })
        .then(function (response) {
          var type = response.headers.get("Content-Type") || "";
          var read = type.indexOf("json") >= 0 ? response.json() : response.text();
          return read.then(function (payload) {
            if (!response.ok) throw new Error(payload.error || response.statusText);
            showAnswer(results, status, response, payload);
          });
        })
        .catch(function (error) {
          results.replaceChildren();
          status.textContent = "Error: " + error.message;
        });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      run(textarea.value);
    });
    textarea.addEventListener("keydown", function (event) {
      if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
        event.preventDefault();
        run(textarea.value);
      }
    });
    return function (query) {
      textarea.value = query.query;
      run(query.query);
      textarea.scrollIntoView();
    };
  }

  var root = document.getElementById("yasgui");
  var run = root && window.Yasgui ? startYasgui(root) : startFallback(document.getElementById("fallback"));

  document.querySelectorAll(".run-example").forEach(function (button) {
    button.addEventListener("click", function () { run(examples[button.dataset.name]); });
  });

  // /editor?query=NAME opens that stored query (the questions' "Open in the SPARQL editor")
  var asked = new URLSearchParams(window.location.search).get("query");
  if (asked && examples[asked]) run(examples[asked]);
})();
