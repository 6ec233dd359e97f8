/* The enterprise map: division outlines (works without tiles), optional base tiles, clustered points. */
(function () {
  "use strict";

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
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
        var cluster = L.markerClusterGroup({ chunkedLoading: true, showCoverageOnHover: false, maxClusterRadius: 50 });
        var markers = data.points.map(function (p) {
          var marker = L.circleMarker([p[3], p[2]], { radius: 6, color: "#fff", weight: 1, fillColor: "#d63939", fillOpacity: 0.9 });
          marker.bindPopup(function () {
            return '<a href="' + options.detailUrl.replace(/\/0\/$/, "/" + p[0] + "/") + '">' + escapeHtml(p[1]) + "</a>";
          });
          return marker;
        });
        cluster.addLayers(markers);
        map.addLayer(cluster);
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
