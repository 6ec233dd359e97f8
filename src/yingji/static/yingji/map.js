/* The enterprise map: division outlines (works without tiles), optional base tiles, clustered points
   coloured by the enterprise's risk level (四色图: points.json gives it as p[4]) or plain, with a legend
   and a toggle between the two layers. */
(function () {
  "use strict";

  // Risk levels from the highest down with the four colours (red/orange/yellow/blue); "none" = not graded.
  var LEVELS = ["major", "significant", "general", "low", "none"];
  var COLOURS = { major: "#d63939", significant: "#f76707", general: "#f59f00", low: "#206bc4", none: "#94a3b8" };
  var PLAIN = "#d63939";

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }

  function label(options, level) {
    return options["label" + level.charAt(0).toUpperCase() + level.slice(1)] || level;
  }

  function clusterIcon(state) {
    return function (group) {
      var children = group.getAllChildMarkers();
      var best = LEVELS.length - 1;
      children.forEach(function (m) { best = Math.min(best, LEVELS.indexOf(m.options.riskLevel)); });
      var colour = state.byRisk ? COLOURS[LEVELS[best]] : PLAIN;
      var size = children.length < 10 ? 30 : children.length < 100 ? 36 : 42;
      var style = "background:" + colour + ";color:#fff;border-radius:50%;width:" + size + "px;height:" + size +
        "px;line-height:" + size + "px;text-align:center;font-weight:600;opacity:.9;border:2px solid #fff";
      return L.divIcon({
        html: "<div style=\"" + style + "\">" + children.length + "</div>",
        className: "yj-cluster yj-cluster-" + LEVELS[best],
        iconSize: L.point(size, size)
      });
    };
  }

  function addRiskControl(map, cluster, markers, counts, state, options) {
    var element = map.getContainer();
    var control = L.control({ position: "bottomright" });
    control.onAdd = function () {
      var div = L.DomUtil.create("div", "yj-map-legend leaflet-bar");
      div.style.cssText = "background:#fff;padding:6px 8px;font-size:12px;line-height:18px";
      var name = "yj-layer-" + (element.id || "map");
      var html = "<div class=\"yj-map-layers\" style=\"margin-bottom:4px\">" +
        "<label style=\"margin-right:8px\"><input type=\"radio\" name=\"" + name + "\" value=\"risk\" checked> " +
        escapeHtml(options.labelByRisk || "By risk level") + "</label>" +
        "<label><input type=\"radio\" name=\"" + name + "\" value=\"plain\"> " +
        escapeHtml(options.labelPlain || "Plain") + "</label></div><div class=\"yj-map-legend-rows\">";
      LEVELS.forEach(function (level) {
        html += "<div data-level=\"" + level + "\"><span style=\"display:inline-block;width:10px;height:10px;" +
          "border-radius:50%;margin-right:4px;background:" + COLOURS[level] + "\"></span>" +
          escapeHtml(label(options, level)) + " <b>" + (counts[level] || 0) + "</b></div>";
      });
      div.innerHTML = html + "</div>";
      L.DomEvent.disableClickPropagation(div);
      div.querySelectorAll("input[type=radio]").forEach(function (input) {
        input.addEventListener("change", function () {
          if (!input.checked) { return; }
          state.byRisk = input.value === "risk";
          div.querySelector(".yj-map-legend-rows").style.display = state.byRisk ? "" : "none";
          markers.forEach(function (marker) {
            marker.setStyle({ fillColor: state.byRisk ? COLOURS[marker.options.riskLevel] : PLAIN });
          });
          cluster.refreshClusters();
          element.dataset.layer = state.byRisk ? "risk" : "plain";
        });
      });
      return div;
    };
    control.addTo(map);
    element.dataset.layer = "risk";
  }

  function init(element) {
    var options = element.dataset;
    var map = L.map(element, { preferCanvas: true, zoomControl: true, maxZoom: 18 }).setView([32.0, 120.9], 10);
    map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    if (options.tileUrl) {
      L.tileLayer(options.tileUrl, { maxZoom: 18, attribution: options.tileAttribution || "" }).addTo(map);
    }
    var bounds = L.latLngBounds([]);
    var pointBounds = L.latLngBounds([]);
    var outlines = fetch(options.outlinesUrl, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (geojson) {
        var layer = L.geoJSON(geojson, {
          style: function (feature) {
            var county = feature.properties.level === "county";
            return { color: county ? "#1d4ed8" : "#64748b", weight: county ? 2.5 : 1, fill: county ? false : true,
                     fillOpacity: 0.04, dashArray: county ? null : "4 3" };
          },
          onEachFeature: function (feature, lyr) { lyr.bindTooltip(escapeHtml(feature.properties.name), { sticky: true }); }
        }).addTo(map);
        if (layer.getLayers().length) { bounds.extend(layer.getBounds()); }
      });
    var points = fetch(options.pointsUrl, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var state = { byRisk: true };
        var cluster = L.markerClusterGroup({ chunkedLoading: true, showCoverageOnHover: false, maxClusterRadius: 50,
                                             iconCreateFunction: clusterIcon(state) });
        var counts = {};
        var markers = data.points.map(function (p) {
          var level = p[4] || "none";
          counts[level] = (counts[level] || 0) + 1;
          var marker = L.circleMarker([p[3], p[2]], { radius: 6, color: "#fff", weight: 1, fillColor: COLOURS[level],
                                                      fillOpacity: 0.9, riskLevel: level });
          marker.bindPopup(function () {
            var badge = level === "none" ? "" : " <span style=\"color:" + COLOURS[level] + "\">● " +
              escapeHtml(label(options, level)) + "</span>";
            return '<a href="' + options.detailUrl.replace(/\/0\/$/, "/" + p[0] + "/") + '">' + escapeHtml(p[1]) + "</a>" + badge;
          });
          return marker;
        });
        cluster.addLayers(markers);
        map.addLayer(cluster);
        addRiskControl(map, cluster, markers, counts, state, options);
        element.dataset.points = String(markers.length);
        if (markers.length) {
          pointBounds = cluster.getBounds();
          bounds.extend(pointBounds);
        }
      });
    Promise.all([outlines, points]).then(function () {
      if (pointBounds.isValid() && element.dataset.points === "1") {
        // One enterprise: its surroundings (less close without a base map, where only outlines show).
        map.setView(pointBounds.getCenter(), options.tileUrl ? 15 : 12, { animate: false });
      } else if (bounds.isValid()) {
        map.fitBounds(bounds, { padding: [12, 12], animate: false });
      }
      element.dataset.ready = "1";
    });
    return map;
  }

  window.YingjiMap = { init: init };
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-yingji-map]").forEach(init);
  });
})();
