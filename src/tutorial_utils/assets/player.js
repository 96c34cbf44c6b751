// A frame player (tutorial_utils.players.frame_player): the frame shown is frames[index], where index is the
// controls' positions in row-major order. players.py appends the call with the player's root id: (...)("tu-name");
(function (id) {
  var script = document.currentScript;
  var root = (script && script.parentElement) || document.getElementById(id);
  var data = JSON.parse(root.querySelector("#" + id + "-data").textContent);
  var img = root.querySelector("#" + id + "-frame");
  var inputs = data.params.map(function (p) { return root.querySelector("#" + id + "-p-" + p); });
  function show() {
    var index = 0;
    inputs.forEach(function (input, i) {
      var value = data.values[i][Number(input.value)];
      index = index * data.values[i].length + Number(input.value);
      root.querySelector("#" + id + "-v-" + data.params[i]).textContent = value;
      input.setAttribute("aria-valuetext", value);
    });
    img.src = "data:image/png;base64," + data.frames[index];
    img.alt = data.alts[index];
    img.setAttribute("data-frame", index);
  }
  inputs.forEach(function (input) { input.addEventListener("input", show); });
  var play = root.querySelector("#" + id + "-play"), timer = null;
  if (play) {
    var clock = root.querySelector("#" + id + "-p-" + data.play), last = Number(clock.max);
    var stop = function () {
      clearInterval(timer); timer = null; play.textContent = "Play"; play.setAttribute("aria-pressed", "false");
    };
    var step = function () { clock.value = (Number(clock.value) + 1) % (last + 1); show(); };
    play.addEventListener("click", function () {
      if (timer) { stop(); return; }
      if (Number(clock.value) === last) { clock.value = 0; show(); }
      play.textContent = "Pause"; play.setAttribute("aria-pressed", "true");
      timer = setInterval(function () { step(); if (Number(clock.value) === last) stop(); }, data.interval);
    });
    root.querySelector("#" + id + "-step").addEventListener("click", function () { stop(); step(); });
    clock.addEventListener("input", stop);
  }
  root.classList.add("tu-js");
  show();
})
