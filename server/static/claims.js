// The claims browser: the filters' page of /api/claims/table, with paging and downloads of
// what is shown (the same page as CSV or JSON).
(function () {
  "use strict";

  var form = document.getElementById("browser");
  var body = document.querySelector("#browser-table tbody");
  var status = document.getElementById("status");
  var offset = 0, total = 0;

  function query(extra) {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) { if (value) params.set(key, value); });
    params.set("offset", offset);
    Object.keys(extra || {}).forEach(function (k) { params.set(k, extra[k]); });
    return form.dataset.table + "?" + params;
  }

  function link(ref) {
    if (!ref) return document.createTextNode("");
    var a = document.createElement("a");
    a.href = "/resource/" + ref.path;
    a.textContent = ref.label;
    return a;
  }

  function cell(row, content, cls) {
    var td = row.insertCell();
    if (cls) td.className = cls;
    [].concat(content).forEach(function (c) {
      td.append(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return td;
  }

  function says(c) {
    var parts = [c.claimant ? link(c.claimant) : "unnamed"];
    c.chain.forEach(function (r) {
      if (c.claimant && r.path === c.claimant.path) return;
      parts.push(" via ", link(r));
    });
    return parts;
  }

  // the table's columns, as kg/data/claims.json orders them: {name, label, kind}
  var columns = JSON.parse(document.getElementById("browser-table").dataset.columns);

  function show_cell(row, c, column) {
    if (column.name === "when") return cell(row, c.when || "undated", "when");
    if (column.name === "type") {
      var type = document.createElement("a");
      type.href = "/resource/" + c.path;
      type.textContent = c.type;
      return cell(row, c.contested ? [type, " contested"] : type);
    }
    if (column.kind === "entity" || column.kind === "place") return cell(row, link(c[column.name]));
    if (column.name === "says") return cell(row, says(c));
    if (column.name === "sentence") return cell(row, c.sentence, "sentence");
    if (column.name === "article") {
      var article = link({ path: c.article.path, label: c.article.title });
      return cell(row, [article, c.article.published ? " (" + c.article.published + ")" : ""]);
    }
    var value = c[column.name];
    return cell(row, value === null || value === undefined ? "" : String(value));
  }

  function show(table) {
    body.replaceChildren();
    total = table.total;
    table.claims.forEach(function (c) {
      var row = body.insertRow();
      if (c.contested) row.className = "contested";
      columns.forEach(function (column) { show_cell(row, c, column); });
    });
    var last = Math.min(offset + table.claims.length, total);
    var of = table.complete ? " of " + total : " of the newest " + total + " (more in older articles)";
    status.textContent = total ? (offset + 1) + "–" + last + of + " claims" : "No claim passes these filters";
    document.getElementById("prev").disabled = offset === 0;
    document.getElementById("next").disabled = last >= total && table.complete;
    document.getElementById("csv").href = query({ format: "csv" });
    document.getElementById("json").href = query({ format: "json" });
  }

  function load() {
    status.textContent = "Reading…";
    fetch(query())
      .then(function (response) {
        return response.json().then(function (payload) {
          if (!response.ok) throw new Error(payload.error || response.statusText);
          return payload;
        });
      })
      .then(show)
      .catch(function (error) { body.replaceChildren(); status.textContent = "Error: " + error.message; });
  }

  form.addEventListener("submit", function (event) { event.preventDefault(); offset = 0; load(); });
  form.addEventListener("change", function (event) {
    if (event.target.classList.contains("entity")) return; // names: on submit
    offset = 0;
    load();
  });
  document.getElementById("prev").addEventListener("click", function () {
    offset = Math.max(0, offset - parseInt(form.elements.limit.value, 10));
    load();
  });
  document.getElementById("next").addEventListener("click", function () {
    offset += parseInt(form.elements.limit.value, 10);
    load();
  });
  // filters given in the address (/claims?type=casualties&place=...) fill the form
  new URLSearchParams(window.location.search).forEach(function (value, key) {
    if (form.elements[key]) {
      if (form.elements[key].type === "checkbox") form.elements[key].checked = true;
      else form.elements[key].value = value;
    }
  });
  load();
})();
