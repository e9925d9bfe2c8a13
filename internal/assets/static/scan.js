// 扫码盘点 (internal/assets, docs/domain/assets.md §Stocktake): where the browser has the BarcodeDetector API
// (Chrome on Android, for instance) the 扫码 button opens the rear camera, reads the QR label and submits the
// 资产编号 it carries; elsewhere the button stays hidden and the counter types or pastes the number (a USB or
// Bluetooth scanner types it too). No inline script: the CSP forbids it.
(function () {
  var form = document.getElementById('scan-form');
  var btn = document.getElementById('scan-camera');
  var video = document.getElementById('scan-video');
  var input = document.getElementById('f-code');
  if (!form || !btn || !video || !input) return;
  if (!('BarcodeDetector' in window) || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    var note = document.getElementById('scan-nocamera');
    if (note) note.hidden = false;
    return;
  }
  btn.hidden = false;
  var stream = null;
  function stop() {
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    stream = null;
    video.hidden = true;
  }
  btn.addEventListener('click', function () {
    if (stream) { stop(); return; }
    var detector = new window.BarcodeDetector({ formats: ['qr_code'] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } }).then(function (s) {
      stream = s;
      video.srcObject = s;
      video.hidden = false;
      return video.play();
    }).then(function tick() {
      if (!stream) return;
      detector.detect(video).then(function (codes) {
        if (codes.length > 0 && codes[0].rawValue) {
          input.value = codes[0].rawValue.trim();
          stop();
          form.submit();
          return;
        }
        window.requestAnimationFrame(tick);
      }, function () { window.requestAnimationFrame(tick); });
    }).catch(function () {
      stop();
      btn.hidden = true;
      var note = document.getElementById('scan-nocamera');
      if (note) note.hidden = false;
    });
  });
})();
