// A magnifier (tutorial_utils.players.magnifier): the pointer or the arrow keys place one window, shown zoomed
// under every image. players.py appends the call with the magnifier's root id: (...)("tu-name");
(function (id) {
  var script = document.currentScript;
  var root = (script && script.parentElement) || document.getElementById(id);
  var d = JSON.parse(root.querySelector("#" + id + "-data").textContent), at = {row: d.row, col: d.col};
  var lenses = root.querySelectorAll(".tu-mag-lens"), zooms = root.querySelectorAll(".tu-mag-zoom");
  function place(row, col) {
    at.row = Math.max(0, Math.min(d.height - d.window, row));
    at.col = Math.max(0, Math.min(d.width - d.window, col));
    Array.prototype.forEach.call(lenses, function (lens) {
      lens.style.left = (100 * at.col / d.width) + "%"; lens.style.top = (100 * at.row / d.height) + "%";
    });
    Array.prototype.forEach.call(zooms, function (zoom) {
      zoom.style.backgroundPosition = (-at.col * d.zoom) + "px " + (-at.row * d.zoom) + "px";
    });
    root.setAttribute("data-row", at.row); root.setAttribute("data-col", at.col);
    root.querySelector("#" + id + "-status").textContent =
      "Zoomed window: rows " + at.row + "-" + (at.row + d.window - 1) +
      ", columns " + at.col + "-" + (at.col + d.window - 1);
  }
  Array.prototype.forEach.call(root.querySelectorAll(".tu-mag-stage"), function (stage) {
    stage.addEventListener("pointermove", function (e) {
      var r = stage.getBoundingClientRect();
      place(Math.floor((e.clientY - r.top) / r.height * d.height - d.window / 2 + 0.5),
            Math.floor((e.clientX - r.left) / r.width * d.width - d.window / 2 + 0.5));
    });
    stage.addEventListener("keydown", function (e) {
      var move = {ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1]}[e.key];
      if (!move) return;
      var n = e.shiftKey ? d.window : 1;
      place(at.row + n * move[0], at.col + n * move[1]);
      e.preventDefault();
    });
  });
  root.classList.add("tu-js");
  place(at.row, at.col);
})
