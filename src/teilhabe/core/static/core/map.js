// Tile maps (Leaflet) over the server-drawn SVG maps, where a tile source is configured.
//
// An element with data-map="ID" holds an inline SVG map; the JSON script #ID (core.maps) names
// the tile source and the markers. Leaflet is loaded only when such a map is first shown (a
// <details> opened), so pages without a map, and phones that never open one, do not load it.
// Without the JSON, or when Leaflet cannot be loaded, the SVG stays: nothing is lost.
(() => {
  "use strict";
  const nonce = document.currentScript ? document.currentScript.nonce : "";
  let leaflet = null;

  function loadLeaflet(panel) {
    if (leaflet) return leaflet;
    leaflet = new Promise((resolve, reject) => {
      const css = document.createElement("link");
      css.rel = "stylesheet";
      css.href = panel.dataset.leafletCss;
      document.head.appendChild(css);
      const script = document.createElement("script");
      script.src = panel.dataset.leafletJs;
      script.nonce = nonce;
      script.onload = () => resolve(window.L);
      script.onerror = reject;
      document.head.appendChild(script);
    });
    return leaflet;
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function popupContent(marker) {
    const box = element("div", "map-popup");
    box.appendChild(element("p", "map-popup__title", marker.label));
    for (const line of marker.lines || []) box.appendChild(element("p", "map-popup__line", line));
    if (marker.links && marker.links.length) {
      const list = element("ul", "map-popup__links");
      for (const link of marker.links) {
        const item = element("li");
        const anchor = element("a", "kern-link", link.text);
        anchor.href = link.href;
        item.appendChild(anchor);
        list.appendChild(item);
      }
      box.appendChild(list);
    }
    return box;
  }

  function build(L, panel, data) {
    const figure = panel.querySelector("figure") || panel;
    const svg = figure.querySelector("svg.svg-map");
    const container = element("div", "map-tiles");
    container.setAttribute("role", "region");
    container.setAttribute("aria-label", data.labels.map);
    figure.insertBefore(container, figure.firstChild);
    const map = L.map(container, { zoomControl: false, scrollWheelZoom: false });
    L.control
      .zoom({ zoomInTitle: data.labels.zoomIn, zoomOutTitle: data.labels.zoomOut })
      .addTo(map);
    map.attributionControl.setPrefix(false);
    // The credit is plain text: Leaflet writes attributions as HTML, so it is escaped here.
    const credit = element("span", "", data.tiles.attribution).innerHTML;
    L.tileLayer(data.tiles.url, {
      attribution: credit,
      maxZoom: 18,
      // Tile servers (OpenStreetMap's among them) ask for the site's origin as referrer.
      referrerPolicy: "strict-origin-when-cross-origin",
    }).addTo(map);
    // Escape closes an open popup wherever the focus is inside the map (Leaflet itself only
    // listens while the map's own box has the focus); the focus then returns to the marker.
    let openPopup = null;
    map.on("popupopen", (event) => {
      openPopup = event.popup;
    });
    map.on("popupclose", () => {
      openPopup = null;
    });
    container.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && openPopup) map.closePopup(openPopup);
    });
    const bounds = data.markers.map((item) => [item.lat, item.lon]);
    // The view first: Leaflet adds markers to a map only once it has one.
    if (bounds.length) map.fitBounds(bounds, { padding: [30, 30], maxZoom: 14 });
    for (const item of data.markers) {
      const face = element("span", "map-marker__text", item.number || "");
      const marker = L.marker([item.lat, item.lon], {
        icon: L.divIcon({
          className: "map-marker" + (item.kind ? " map-marker--" + item.kind : ""),
          html: face,
          iconSize: [30, 30],
          iconAnchor: [15, 15],
          popupAnchor: [0, -12],
        }),
        title: item.title || item.label,
        riseOnHover: true,
      });
      marker.on("add", () => marker.getElement().setAttribute("aria-label", item.title || item.label));
      marker.addTo(map);
      marker.bindPopup(popupContent(item), {
        autoPanPaddingTopLeft: [50, 10],
        autoPanPaddingBottomRight: [10, 10],
        maxWidth: Math.max(160, Math.min(280, container.clientWidth - 70)),
        maxHeight: Math.max(120, container.clientHeight - 90),
      });
      marker.on("popupopen", (event) => {
        const popup = event.popup.getElement();
        const close = popup.querySelector(".leaflet-popup-close-button");
        if (close) close.setAttribute("aria-label", data.labels.close);
        const first = popup.querySelector(".map-popup a");
        if (first) first.focus({ preventScroll: true });
      });
      marker.on("popupclose", (event) => {
        const popup = event.popup.getElement();
        const active = document.activeElement;
        if (!active || active === document.body || (popup && popup.contains(active))) {
          marker.getElement().focus({ preventScroll: true });
        }
      });
    }
    if (svg) svg.classList.add("svg-map--replaced");
    const caption = figure.querySelector("[data-tiles-caption]");
    if (caption) caption.textContent = caption.dataset.tilesCaption;
    return map;
  }

  function start(panel) {
    const source = document.getElementById(panel.dataset.map);
    if (!source || !panel.dataset.leafletJs) return;
    const data = JSON.parse(source.textContent);
    let map = null;
    let loading = false;
    const show = () => {
      if (map) map.invalidateSize(); // its size was unknown while the panel was closed
      if (map || loading) return;
      loading = true;
      loadLeaflet(panel).then(
        (L) => {
          map = build(L, panel, data);
        },
        () => {
          loading = false; // the SVG stays
        },
      );
    };
    if (panel.tagName === "DETAILS") {
      panel.addEventListener("toggle", () => {
        if (panel.open) show();
      });
      if (panel.open) show();
    } else {
      show();
    }
  }

  const run = () => document.querySelectorAll("[data-map]").forEach(start);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run);
  else run();
})();
