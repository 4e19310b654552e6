// The directory works as a plain list; this adds a copy button, "nearest to me" and, where the browser reaches
// the tile server, a map. Any of them failing leaves the list as it is.
'use strict';

document.querySelectorAll('button.copy').forEach((button) => {
  button.addEventListener('click', async () => {
    const text = button.dataset.copy;
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // No clipboard permission (plain http, old browser): select the text so a long press copies it.
      const range = document.createRange();
      range.selectNodeContents(button.parentElement.querySelector('.value'));
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
    }
    const label = button.textContent;
    button.textContent = button.dataset.done;
    setTimeout(() => { button.textContent = label; }, 2000);
  });
});

const nearMe = document.getElementById('near-me');
if (navigator.geolocation && nearMe) {
  nearMe.hidden = false;
  nearMe.addEventListener('click', () => {
    navigator.geolocation.getCurrentPosition((position) => {
      document.getElementById('lat').value = position.coords.latitude.toFixed(5);
      document.getElementById('lon').value = position.coords.longitude.toFixed(5);
      document.getElementById('sort').value = 'distance';
      nearMe.form.submit();
    });
  });
}

const mapBox = document.getElementById('map');
if (mapBox && mapBox.dataset.tiles && window.L) {
  const points = [...document.querySelectorAll('li.site')]
    .filter((item) => item.dataset.lat && item.dataset.lon)
    .map((item) => ({ item, at: [Number(item.dataset.lat), Number(item.dataset.lon)] }));
  if (points.length) {
    mapBox.hidden = false;
    const map = window.L.map(mapBox);
    let loaded = false;
    const layer = window.L.tileLayer(mapBox.dataset.tiles, { attribution: mapBox.dataset.attribution, maxZoom: 19 });
    layer.on('tileload', () => { loaded = true; });
    // No network to the tile server (a kiosk LAN, an offline laptop): drop the map, keep the list.
    layer.on('tileerror', () => { if (!loaded) { map.remove(); mapBox.hidden = true; } });
    layer.addTo(map);
    points.forEach(({ item, at }) => {
      window.L.marker(at, { title: item.querySelector('h2').firstChild.textContent.trim() }).addTo(map)
        .on('click', () => item.scrollIntoView({ behavior: 'smooth' }));
    });
    map.fitBounds(window.L.latLngBounds(points.map((p) => p.at)).pad(0.2));
  }
}
