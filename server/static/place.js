// A place's page: the timeline's changes open their reports; the map (Leaflet, with Natural
// Earth's borders and rivers served by this server); the claims table filtered in place.
(function () {
  "use strict";

  // -- the timeline: a change's button selects its entry in the list below
  function select(index) {
    document.querySelectorAll(".change, ol.changes > li").forEach(function (el) {
      el.classList.toggle("selected", el.dataset.change === String(index));
    });
    var entry = document.getElementById("change-" + index);
    if (entry) entry.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }
  document.querySelectorAll(".change").forEach(function (button) {
    button.addEventListener("click", function () { select(button.dataset.change); });
  });

  // -- the claims tables: filters by type and day, in the page
  document.querySelectorAll("form.filters[data-filters]").forEach(function (form) {
    var table = document.getElementById(form.dataset.filters);
    var count = form.querySelector(".count");
    function apply() {
      var type = form.elements.type.value, from = form.elements.from.value, to = form.elements.to.value;
      var shown = 0, rows = table.tBodies[0].rows;
      for (var i = 0; i < rows.length; i++) {
        var row = rows[i], day = row.dataset.day || "";
        var ok = (!type || row.dataset.type === type) && (!from || (day && day >= from)) && (!to || (day && day <= to));
        row.hidden = !ok;
        if (ok) shown++;
      }
      count.textContent = shown + " of " + rows.length + " shown";
    }
    form.addEventListener("input", apply);
    form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
    apply();
  });

  // -- the map
  var box = document.getElementById("map");
  if (!box || !window.L || !window.topojson) return;
  var lat = parseFloat(box.dataset.lat), long = parseFloat(box.dataset.long);
  var map = L.map(box, { attributionControl: true, zoomSnap: 0.5 }).setView([lat, long], 7);
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("Natural Earth");
  fetch(box.dataset.layers)
    .then(function (response) { return response.json(); })
    .then(function (world) {
      var style = {
        land: { color: "#b9b9a8", weight: 0, fillColor: "#f4f1e8", fillOpacity: 1 },
        countries: { color: "#7a6a58", weight: 1.2, fill: false, dashArray: "4 3" },
        lakes: { color: "#7fa9d1", weight: 0.5, fillColor: "#bcd7ee", fillOpacity: 1 },
        rivers: { color: "#5c94c8", weight: 1.4 },
        coastlines: { color: "#7fa9d1", weight: 0.8 },
      };
      ["land", "countries", "lakes", "rivers", "coastlines"].forEach(function (name) {
        if (!world.objects[name]) return;
        var layer = L.geoJSON(topojson.feature(world, world.objects[name]), { style: style[name], interactive: false });
        layer.addTo(map);
        box.dataset["layer" + name.charAt(0).toUpperCase() + name.slice(1)] = "drawn";
      });
      JSON.parse(box.dataset.nearby || "[]").forEach(function (p) {
        L.circleMarker([p.lat, p.long], { radius: 4, color: "#555", weight: 1, fillColor: "#999", fillOpacity: 0.9 })
          .bindTooltip(p.label, { direction: "right" })
          .on("click", function () { window.location.href = "/resource/" + p.path; })
          .addTo(map);
      });
      L.circleMarker([lat, long], { radius: 8, color: "#a11", weight: 2, fillColor: "#e34", fillOpacity: 0.9 })
        .bindTooltip(box.dataset.label, { permanent: true, direction: "right", className: "place-label" })
        .addTo(map);
      box.dataset.drawn = "yes";
    })
    .catch(function (error) { box.textContent = "The map's layers could not be read: " + error.message; });
})();
