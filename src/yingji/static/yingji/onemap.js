/* The one map (一图): toggleable layers over division outlines (no tile server needed) or base tiles.
   Point layers are fetched per viewport from /api/v1/map/layers/<layer>?bbox=&zoom=: points (clustered
   in the browser by Leaflet.markercluster) or, for big layers, grid clusters made by the server.
   A click on a marker opens a compact card (/api/v1/map/card). The radius / polygon tool lists
   everything inside (/api/v1/map/within), grouped by layer, with distances from the centre. */
(function () {
  "use strict";

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text == null ? "" : String(text);
    return div.innerHTML;
  }

  function getJson(url, signal) {
    return fetch(url, { credentials: "same-origin", signal: signal }).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    });
  }

  function distanceText(metres) {
    return metres < 1000 ? metres + " m" : (metres / 1000).toFixed(metres < 10000 ? 2 : 1) + " km";
  }

  function init(element) {
    var options = element.dataset;
    var map = L.map(element, { zoomControl: true, maxZoom: 18 }).setView([32.0, 120.9], 10);
    map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    if (options.tileUrl) {
      L.tileLayer(options.tileUrl, { maxZoom: 18, attribution: options.tileAttribution || "" }).addTo(map);
    }
    var layers = {};  // key -> {kind, group, colours, colour, enabled, controller, panel}
    var pending = 0;

    function colourOf(layer, key) {
      return layer.colours[key] || layer.colour;
    }

    function busy(delta) {
      pending += delta;
      element.dataset.loading = pending > 0 ? "1" : "0";
    }

    // -- the card ---------------------------------------------------------------------------------
    var cardState = { popup: null };
    function openCard(key, id, latlng) {
      var popup = cardState.popup = L.popup({ maxWidth: 280, minWidth: 200 }).setLatLng(latlng)
        .setContent('<div class="yj-card" id="map-card" data-state="loading">' + escapeHtml(options.labelLoading) + "</div>")
        .openOn(map);
      var url = options.cardUrl + "?layer=" + encodeURIComponent(key) + "&id=" + encodeURIComponent(id);
      getJson(url).then(function (card) {
        var html = '<div class="yj-card" id="map-card" data-layer="' + escapeHtml(card.layer) + '" data-id="' +
          escapeHtml(card.id) + '" data-state="ready"><div class="yj-card-title">' + escapeHtml(card.name) + "</div>";
        if (card.figures.length) {
          html += '<dl class="yj-card-figures">';
          card.figures.forEach(function (f) {
            html += "<dt>" + escapeHtml(f.label) + "</dt><dd>" + escapeHtml(f.value) + "</dd>";
          });
          html += "</dl>";
        }
        if (card.url) {
          html += '<a class="btn btn-sm btn-primary" id="map-card-link" href="' + escapeHtml(card.url) + '">' +
            escapeHtml(options.labelOpen) + "</a>";
        }
        popup.setContent(html + "</div>");
      }).catch(function () {
        popup.setContent('<div class="yj-card" id="map-card" data-state="error">' + escapeHtml(options.labelError) + "</div>");
      });
    }

    // -- layers -----------------------------------------------------------------------------------
    function pointMarker(layer, p) {
      // p = [id, lng, lat, colour key, name]
      var marker = L.circleMarker([p[2], p[1]], {
        radius: 7, color: "#fff", weight: 1.5, fillColor: colourOf(layer, p[3]), fillOpacity: 0.95,
        className: "yj-marker yj-marker-" + layer.key, bubblingMouseEvents: false, colourKey: p[3]
      });
      marker.bindTooltip(escapeHtml(p[4]), { direction: "top", offset: [0, -6] });
      marker.on("click", function (event) {
        if (tool.kind) { tool.click(event.latlng); return; }
        openCard(layer.key, p[0], marker.getLatLng());
      });
      return marker;
    }

    function clusterMarker(layer, c) {
      // c = [lng, lat, count, worst colour key]
      var n = c[2];
      var size = n < 100 ? 32 : n < 1000 ? 38 : n < 10000 ? 44 : 50;
      var text = n < 10000 ? String(n) : Math.round(n / 1000) + "k";
      var style = "background:" + colourOf(layer, c[3]) + ";width:" + size + "px;height:" + size + "px;line-height:" +
        size + "px";
      var marker = L.marker([c[1], c[0]], {
        icon: L.divIcon({ html: '<div style="' + style + '">' + text + "</div>",
                          className: "yj-grid-cluster yj-grid-cluster-" + layer.key, iconSize: L.point(size, size) }),
        keyboard: false
      });
      marker.on("click", function (event) {
        if (tool.kind) { tool.click(event.latlng); return; }
        map.setView(marker.getLatLng(), Math.min(map.getZoom() + 2, map.getMaxZoom()));
      });
      return marker;
    }

    function smallClusterIcon(layer) {
      return function (group) {
        var children = group.getAllChildMarkers();
        var order = Object.keys(layer.colours);
        var best = order.length;
        children.forEach(function (m) {
          var i = order.indexOf(m.options.colourKey);
          if (i >= 0 && i < best) { best = i; }
        });
        var colour = best < order.length ? layer.colours[order[best]] : layer.colour;
        var size = children.length < 10 ? 28 : children.length < 100 ? 34 : 40;
        return L.divIcon({
          html: '<div style="background:' + colour + ";width:" + size + "px;height:" + size + "px;line-height:" + size +
            'px">' + children.length + "</div>",
          className: "yj-grid-cluster yj-small-cluster-" + layer.key, iconSize: L.point(size, size)
        });
      };
    }

    function render(layer, data) {
      layer.group.clearLayers();
      var shown = 0;
      if (data.mode === "points") {
        var cluster = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 40,
                                             disableClusteringAtZoom: 16, iconCreateFunction: smallClusterIcon(layer) });
        cluster.addLayers(data.points.map(function (p) { return pointMarker(layer, p); }));
        layer.group.addLayer(cluster);
        shown = data.points.length;
      } else if (data.mode === "clusters") {
        data.clusters.forEach(function (c) { layer.group.addLayer(clusterMarker(layer, c)); });
        shown = data.clusters.length;
      } else if (data.mode === "areas") {
        L.geoJSON(data.features, {
          style: function (f) { return { color: f.properties.colour, weight: 2, fillOpacity: 0.18, className: "yj-area yj-area-" + layer.key }; },
          pointToLayer: function (f, latlng) {
            return L.circle(latlng, { radius: f.properties.radius_m || 500, color: f.properties.colour, weight: 2,
                                      fillOpacity: 0.18, className: "yj-area yj-area-" + layer.key });
          },
          onEachFeature: function (f, lyr) {
            lyr.bindTooltip(escapeHtml(f.properties.name), { sticky: true });
            lyr.on("click", function (event) {
              if (tool.kind) { tool.click(event.latlng); return; }
              openCard(layer.key, f.properties.id, event.latlng);
            });
          }
        }).addTo(layer.group);
        shown = data.features.length;
      }
      layer.panel.dataset.mode = data.mode;
      layer.panel.dataset.shown = String(shown);
      layer.panel.dataset.total = String(data.total);
    }

    function bboxParam() {
      var b = map.getBounds();
      var clamp = function (v, lo, hi) { return Math.max(lo, Math.min(hi, v)); };
      var west = clamp(b.getWest(), -180, 180), east = clamp(b.getEast(), -180, 180);
      var south = clamp(b.getSouth(), -90, 90), north = clamp(b.getNorth(), -90, 90);
      if (east <= west) { west = -180; east = 180; }
      return [west, south, east, north].map(function (v) { return v.toFixed(5); }).join(",");
    }

    function refresh(layer) {
      if (!layer.enabled) { return Promise.resolve(); }
      if (layer.kind === "areas" && layer.loaded) { return Promise.resolve(); }
      if (layer.controller) { layer.controller.abort(); }
      var controller = new AbortController();
      layer.controller = controller;
      var url = options.layerUrl + layer.key + "?zoom=" + map.getZoom() + "&bbox=" + bboxParam();
      busy(1);
      layer.panel.dataset.state = "loading";
      return getJson(url, controller.signal).then(function (data) {
        if (!layer.enabled) { return; }
        render(layer, data);
        layer.loaded = true;
        layer.panel.dataset.state = "ready";
      }).catch(function (error) {
        if (error.name !== "AbortError") { layer.panel.dataset.state = "error"; }
      }).then(function () { busy(-1); });
    }

    function refreshAll() {
      return Promise.all(Object.keys(layers).map(function (key) {
        return layers[key].kind === "areas" ? Promise.resolve() : refresh(layers[key]);
      }));
    }

    var timer = null;
    map.on("moveend", function () {
      clearTimeout(timer);
      timer = setTimeout(refreshAll, 150);
    });

    function setEnabled(layer, enabled) {
      layer.enabled = enabled;
      layer.panel.dataset.enabled = enabled ? "1" : "0";
      if (enabled) {
        map.addLayer(layer.group);
        return refresh(layer);
      }
      if (layer.controller) { layer.controller.abort(); }
      map.removeLayer(layer.group);
      layer.group.clearLayers();
      layer.loaded = false;
      layer.panel.dataset.shown = "0";
      return Promise.resolve();
    }

    function setupLayers(summary) {
      summary.layers.forEach(function (info) {
        var panel = document.querySelector('.yj-layer[data-layer="' + info.key + '"]');
        if (!panel) { return; }
        var colours = {};
        var legend = "";
        info.legend.forEach(function (row) {
          colours[row.key] = row.colour;
          legend += '<span class="yj-swatch-row"><span class="yj-swatch" style="background:' + row.colour + '"></span>' +
            escapeHtml(row.label) + "</span> ";
        });
        if (!info.legend.length) {
          legend = '<span class="yj-swatch" style="background:' + info.colour + '"></span>';
        }
        panel.querySelector("[data-legend]").innerHTML = legend;
        panel.querySelector("[data-count]").textContent = String(info.count);
        panel.dataset.count = String(info.count);
        var layer = { key: info.key, kind: info.kind, group: L.layerGroup(), colours: colours, colour: info.colour,
                      enabled: false, panel: panel };
        layers[info.key] = layer;
        var input = panel.querySelector("input[type=checkbox]");
        input.addEventListener("change", function () { setEnabled(layer, input.checked); });
      });
    }

    // -- the radius / polygon tool ------------------------------------------------------------------
    var hint = document.getElementById("tool-hint");
    var finish = document.getElementById("tool-finish");
    var drawn = L.layerGroup().addTo(map);
    var tool = { kind: null, centre: null, shape: null, vertices: [], line: null };

    function setTool(kind) {
      tool.kind = kind;
      tool.centre = null;
      tool.vertices = [];
      drawn.clearLayers();
      tool.shape = null;
      tool.line = null;
      document.querySelectorAll("#onemap-tools [data-tool]").forEach(function (b) {
        b.classList.toggle("active", b.dataset.tool === kind);
        b.classList.toggle("btn-primary", b.dataset.tool === kind);
      });
      finish.classList.toggle("d-none", kind !== "polygon");
      hint.textContent = kind === "circle" ? options.hintCircle : kind === "polygon" ? options.hintPolygon : "";
      element.classList.toggle("yj-drawing", !!kind);
      element.dataset.tool = kind || "";
      if (kind === "polygon") { map.doubleClickZoom.disable(); } else { map.doubleClickZoom.enable(); }
    }

    tool.click = function (latlng) {
      if (tool.kind === "circle") {
        if (!tool.centre) {
          tool.centre = latlng;
          tool.shape = L.circle(latlng, { radius: 1, color: "#1d4ed8", weight: 2, fillOpacity: 0.08,
                                          className: "yj-tool-shape" }).addTo(drawn);
          L.circleMarker(latlng, { radius: 3, color: "#1d4ed8", className: "yj-tool-centre" }).addTo(drawn);
        } else {
          var radius = Math.min(map.distance(tool.centre, latlng), Number(options.maxRadius));
          tool.shape.setRadius(radius);
          finishCircle(tool.centre, radius);
        }
      } else if (tool.kind === "polygon") {
        tool.vertices.push(latlng);
        if (!tool.line) {
          tool.line = L.polyline([], { color: "#1d4ed8", weight: 2, dashArray: "4 3", className: "yj-tool-shape" }).addTo(drawn);
        }
        tool.line.setLatLngs(tool.vertices);
        L.circleMarker(latlng, { radius: 3, color: "#1d4ed8", className: "yj-tool-vertex" }).addTo(drawn);
      }
    };

    map.on("click", function (event) { if (tool.kind) { tool.click(event.latlng); } });
    map.on("mousemove", function (event) {
      if (tool.kind === "circle" && tool.centre && tool.shape) {
        tool.shape.setRadius(Math.min(map.distance(tool.centre, event.latlng), Number(options.maxRadius)));
      }
    });
    map.on("dblclick", function () { if (tool.kind === "polygon") { finishPolygon(); } });

    function finishCircle(centre, radius) {
      var url = options.withinUrl + "?lat=" + centre.lat.toFixed(6) + "&lon=" + centre.lng.toFixed(6) +
        "&radius_m=" + Math.max(1, Math.round(radius));
      element.dataset.radius = String(Math.round(radius));
      setTool(null);
      drawn.clearLayers();
      L.circle(centre, { radius: radius, color: "#1d4ed8", weight: 2, fillOpacity: 0.08, className: "yj-tool-shape" }).addTo(drawn);
      query(url);
    }

    function finishPolygon() {
      // A double click adds the same vertex twice: drop repeats.
      var vertices = tool.vertices.filter(function (v, i, all) { return i === 0 || !v.equals(all[i - 1]); });
      if (vertices.length < 3) { return; }
      var text = vertices.map(function (v) { return v.lng.toFixed(6) + " " + v.lat.toFixed(6); }).join(",");
      setTool(null);
      drawn.clearLayers();
      L.polygon(vertices, { color: "#1d4ed8", weight: 2, fillOpacity: 0.08, className: "yj-tool-shape" }).addTo(drawn);
      query(options.withinUrl + "?polygon=" + encodeURIComponent(text));
    }

    function query(url) {
      var card = document.getElementById("within-card");
      var results = document.getElementById("within-results");
      card.classList.remove("d-none");
      if (window.innerWidth < 992) { card.scrollIntoView({ block: "nearest" }); }
      results.dataset.state = "loading";
      results.textContent = options.labelLoading;
      getJson(url).then(function (data) {
        var html = '<div class="small text-secondary mb-2">' + escapeHtml(options.labelCentre) + "</div>";
        var any = false;
        data.layers.forEach(function (group) {
          if (!group.count) { return; }
          any = true;
          html += '<div class="yj-within-group" data-layer="' + escapeHtml(group.layer) + '" data-count="' + group.count +
            '"><div class="fw-bold mt-2">' + escapeHtml(group.label) + ' <span class="badge bg-secondary-lt">' +
            group.count + '</span></div><ul class="list-unstyled mb-1">';
          group.items.forEach(function (item) {
            var name = item.url ? '<a href="' + escapeHtml(item.url) + '">' + escapeHtml(item.name) + "</a>" : escapeHtml(item.name);
            html += '<li data-id="' + escapeHtml(item.id) + '" data-distance="' + item.distance_m + '">' + name +
              ' <span class="text-secondary">' + distanceText(item.distance_m) + "</span></li>";
          });
          if (group.count > group.items.length) {
            html += '<li class="text-secondary">' + escapeHtml((options.labelMore || "").replace("{n}", group.count - group.items.length)) + "</li>";
          }
          html += "</ul></div>";
        });
        if (!any) { html += '<div class="text-secondary" id="within-nothing">' + escapeHtml(options.labelNothing) + "</div>"; }
        results.innerHTML = html;
        results.dataset.state = "ready";
      }).catch(function () {
        results.textContent = options.labelError;
        results.dataset.state = "error";
      });
    }

    document.querySelectorAll("#onemap-tools [data-tool]").forEach(function (button) {
      button.addEventListener("click", function () { setTool(tool.kind === button.dataset.tool ? null : button.dataset.tool); });
    });
    finish.addEventListener("click", finishPolygon);
    document.getElementById("tool-clear").addEventListener("click", function () {
      setTool(null);
      drawn.clearLayers();
      document.getElementById("within-card").classList.add("d-none");
    });

    // -- start: outlines, then the layers that are ticked ---------------------------------------------
    var outlines = getJson(options.outlinesUrl).then(function (geojson) {
      var layer = L.geoJSON(geojson, {
        interactive: false,
        style: function (feature) {
          var county = feature.properties.level === "county";
          return { color: county ? "#1d4ed8" : "#64748b", weight: county ? 2.5 : 1, fill: !county,
                   fillOpacity: 0.04, dashArray: county ? null : "4 3" };
        }
      }).addTo(map);
      if (layer.getLayers().length) { map.fitBounds(layer.getBounds(), { padding: [12, 12], animate: false }); }
    }).catch(function () { /* no outlines: the default view */ });
    var summary = getJson(options.layersUrl);
    Promise.all([outlines, summary]).then(function (results) {
      setupLayers(results[1]);
      var first = [];
      document.querySelectorAll("#onemap-layers input[type=checkbox]:checked").forEach(function (input) {
        var layer = layers[input.dataset.layer];
        if (layer) { first.push(setEnabled(layer, true)); }
      });
      return Promise.all(first);
    }).then(function () {
      element.dataset.ready = "1";
    });
    window.addEventListener("resize", function () {
      map.invalidateSize();
      if (cardState.popup && map.hasLayer(cardState.popup)) {
        // Keep an open card in view when the window changes size (a phone turned, a narrower window).
        map.setView(cardState.popup.getLatLng(), map.getZoom(), { animate: false });
      }
    });
    element.yjMap = map;
    return map;
  }

  window.YingjiOneMap = { init: init };
  document.addEventListener("DOMContentLoaded", function () {
    var element = document.getElementById("onemap");
    if (element) { init(element); }
  });
})();
