// The public report form's "use my location": fills the latitude and longitude fields from
// the phone's position. Without JavaScript the button stays hidden and the fields are typed.
(function () {
  'use strict';
  function init() {
    var btn = document.getElementById('report-locate');
    var lat = document.getElementById('f-latitude');
    var lng = document.getElementById('f-longitude');
    var status = document.getElementById('report-locate-status');
    if (!btn || !lat || !lng || !navigator.geolocation) {
      return;
    }
    btn.hidden = false;
    btn.addEventListener('click', function () {
      btn.disabled = true;
      status.textContent = btn.dataset.busy || '';
      navigator.geolocation.getCurrentPosition(function (pos) {
        lat.value = pos.coords.latitude.toFixed(6);
        lng.value = pos.coords.longitude.toFixed(6);
        status.textContent = '';
        btn.disabled = false;
      }, function () {
        status.textContent = btn.dataset.fail || '';
        btn.disabled = false;
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
