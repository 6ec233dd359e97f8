/* Warning maps. [data-warning-map]: the warning's area (division outlines highlighted, polygons and
   circles in the level's colour). [data-draw-map]: the draft form's click-to-add polygon tool; each
   polygon is closed on "finish" and stored in the hidden `polygons` field as [[lat, lon], ...] rings.
   Also on the form: CAP severity/urgency/certainty follow the level until the user changes them. */
(function () {
  "use strict";

  var COLOURS = { blue: "#206bc4", yellow: "#f5b800", orange: "#f76707", red: "#d63939" };

  function baseMap(element) {
    var options = element.dataset;
    var map = L.map(element, { zoomControl: true, maxZoom: 18, zoomSnap: 0.25 }).setView([32.0, 120.9], 10);
    map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    if (options.tileUrl) {
      L.tileLayer(options.tileUrl, { maxZoom: 18, attribution: options.tileAttribution || "" }).addTo(map);
    }
    return map;
  }

  function outlineStyle(highlight, colour) {
    return function (feature) {
      var chosen = highlight(feature.properties.code);
      var county = feature.properties.level === "county";
      return {
        color: chosen ? colour : (county ? "#1d4ed8" : "#94a3b8"), weight: chosen ? 2.5 : (county ? 2 : 1),
        fill: chosen || !county, fillColor: chosen ? colour : "#94a3b8", fillOpacity: chosen ? 0.25 : 0.03,
        dashArray: chosen || county ? null : "4 3"
      };
    };
  }

  function outlines(map, url, highlight, colour) {
    return fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (geojson) {
        return L.geoJSON(geojson, {
          style: outlineStyle(highlight, colour),
          onEachFeature: function (feature, layer) { layer.bindTooltip(feature.properties.name, { sticky: true }); }
        }).addTo(map);
      })
      .catch(function () { return null; });
  }

  function covers(codes) {
    // A division is highlighted when it is one of the area's divisions or lies inside one of them.
    var prefixes = codes.map(function (code) {
      // The subtree prefix by the code's shape (as core/divisions.py level_of): village, town, county, city.
      if (code.slice(9) !== "000") { return code; }
      if (code.slice(6, 9) !== "000") { return code.slice(0, 9); }
      if (code.slice(4, 6) !== "00") { return code.slice(0, 6); }
      if (code.slice(2, 4) !== "00") { return code.slice(0, 4); }
      return code.slice(0, 2);
    });
    return function (code) {
      return prefixes.some(function (prefix) { return prefix && code.indexOf(prefix) === 0; });
    };
  }

  function initView(element) {
    var data = JSON.parse(document.getElementById("warning-map-data").textContent);
    var colour = COLOURS[data.level] || "#d63939";
    var map = baseMap(element);
    var shapes = L.featureGroup().addTo(map);
    data.polygons.forEach(function (ring) {
      L.polygon(ring, { color: colour, weight: 3, fillOpacity: 0.3 }).addTo(shapes);
    });
    data.circles.forEach(function (c) {
      L.circle([c[0], c[1]], { radius: c[2] * 1000, color: colour, weight: 3, fillOpacity: 0.2 }).addTo(shapes);
    });
    outlines(map, element.dataset.outlinesUrl, covers(data.divisions), colour).then(function (layer) {
      var bounds = L.latLngBounds([]);
      if (shapes.getLayers().length) { bounds.extend(shapes.getBounds()); }
      if (layer && layer.getLayers().length) {
        layer.eachLayer(function (l) {
          if (covers(data.divisions)(l.feature.properties.code)) { bounds.extend(l.getBounds()); }
        });
        if (!bounds.isValid()) { bounds.extend(layer.getBounds()); }
      }
      if (bounds.isValid()) { map.fitBounds(bounds, { paddingTopLeft: [48, 24], paddingBottomRight: [24, 24], animate: false, maxZoom: 14 }); }
      element.dataset.polygons = String(data.polygons.length);
      element.dataset.ready = "1";
    });
  }

  function initDraw(element) {
    var form = element.closest("form");
    var field = form.querySelector("input[name=polygons]");
    var status = document.getElementById("draw-status");
    var levelSelect = form.querySelector("select[name=level]");
    var map = baseMap(element);
    var done = L.featureGroup().addTo(map);
    var drawing = null; // {points: [], line, markers}
    var polygons = [];
    try { polygons = JSON.parse(field.value || "[]") || []; } catch (e) { polygons = []; }

    function colour() { return COLOURS[levelSelect && levelSelect.value] || "#d63939"; }

    function store() {
      field.value = JSON.stringify(polygons);
      status.dataset.polygons = String(polygons.length);
    }

    function redraw() {
      done.clearLayers();
      polygons.forEach(function (ring, index) {
        var layer = L.polygon(ring, { color: colour(), weight: 3, fillOpacity: 0.3 }).addTo(done);
        layer.bindTooltip(String(index + 1), { permanent: false });
      });
      store();
    }

    function clearDrawing() {
      if (!drawing) { return; }
      drawing.line.remove();
      drawing.markers.forEach(function (m) { m.remove(); });
      drawing = null;
      element.style.cursor = "";
    }

    function start() {
      clearDrawing();
      drawing = { points: [], line: L.polyline([], { color: colour(), dashArray: "6 4" }).addTo(map), markers: [] };
      element.style.cursor = "crosshair";
      status.textContent = element.dataset.msgDrawing;
    }

    map.on("click", function (event) {
      if (!drawing) { return; }
      var point = [Number(event.latlng.lat.toFixed(6)), Number(event.latlng.lng.toFixed(6))];
      drawing.points.push(point);
      drawing.line.setLatLngs(drawing.points);
      drawing.markers.push(L.circleMarker(point, { radius: 4, color: colour() }).addTo(map));
      element.dataset.points = String(drawing.points.length);
    });

    form.querySelectorAll("[data-draw]").forEach(function (button) {
      button.addEventListener("click", function () {
        var what = button.dataset.draw;
        if (what === "start") { start(); }
        if (what === "undo" && drawing && drawing.points.length) {
          drawing.points.pop();
          drawing.markers.pop().remove();
          drawing.line.setLatLngs(drawing.points);
        }
        if (what === "finish" && drawing) {
          if (drawing.points.length < 3) { status.textContent = element.dataset.msgFew; return; }
          var ring = drawing.points.slice();
          ring.push(ring[0]); // closed automatically
          polygons.push(ring);
          clearDrawing();
          redraw();
          status.textContent = "✓ " + polygons.length;
        }
        if (what === "clear") { clearDrawing(); polygons = []; redraw(); }
      });
    });

    // CAP severity/urgency/certainty follow the level until the user picks one of them.
    var defaults = JSON.parse(document.getElementById("level-defaults").textContent);
    var touched = {};
    ["severity", "urgency", "certainty"].forEach(function (name) {
      var select = form.querySelector("select[name=" + name + "]");
      if (select) { select.addEventListener("change", function () { touched[name] = true; }); }
    });
    if (levelSelect) {
      levelSelect.addEventListener("change", function () {
        var values = defaults[levelSelect.value] || {};
        Object.keys(values).forEach(function (name) {
          var select = form.querySelector("select[name=" + name + "]");
          if (select && !touched[name]) { select.value = values[name]; }
        });
        redraw();
      });
    }

    // The chosen divisions are shaded on the map as they are picked.
    var divisionSelect = form.querySelector("select[name=area_divisions]");
    function chosenCodes() {
      return divisionSelect ? Array.prototype.map.call(divisionSelect.selectedOptions, function (o) { return o.value; }) : [];
    }
    var outlineLayer = null;
    function restyleOutlines() {
      if (outlineLayer) { outlineLayer.setStyle(outlineStyle(covers(chosenCodes()), colour())); }
    }
    if (divisionSelect) { divisionSelect.addEventListener("change", restyleOutlines); }
    if (levelSelect) { levelSelect.addEventListener("change", restyleOutlines); }

    redraw();
    outlines(map, element.dataset.outlinesUrl, covers(chosenCodes()), colour()).then(function (layer) {
      outlineLayer = layer;
      var bounds = L.latLngBounds([]);
      if (done.getLayers().length) { bounds.extend(done.getBounds()); }
      else if (layer && layer.getLayers().length) { bounds.extend(layer.getBounds()); }
      if (bounds.isValid()) { map.fitBounds(bounds, { padding: [12, 12], animate: false, maxZoom: 14 }); }
      element.dataset.ready = "1";
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-warning-map]").forEach(initView);
    document.querySelectorAll("[data-draw-map]").forEach(initDraw);
  });
})();
