// The index's search box: names from search.json (or, where the page is opened from the
// file system and fetch is refused, from the index's own lists); the rest works without it.
(function () {
  var box = document.getElementById("search"), input = document.getElementById("q"),
      hits = document.getElementById("hits"), items = null;
  if (!box || !input || !hits) return;
  box.hidden = false;
  function fromPage() {
    return Array.prototype.map.call(document.querySelectorAll("details"), function (d) {
      var kind = d.querySelector("summary").textContent.replace(/ \(\d+\)$/, "");
      return Array.prototype.map.call(d.querySelectorAll("li a"), function (a) {
        return {name: a.textContent, kind: kind, url: a.getAttribute("href")};
      });
    }).reduce(function (a, b) { return a.concat(b); }, []);
  }
  function fold(s) { return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase(); }
  function show() {
    var q = fold(input.value.trim());
    hits.textContent = "";
    if (!q || !items) return;
    items.filter(function (it) { return fold(it.name).indexOf(q) >= 0; }).slice(0, 30)
      .forEach(function (it) {
        var li = document.createElement("li"), a = document.createElement("a"),
            kind = document.createElement("span");
        a.href = it.url; a.textContent = it.name;
        kind.className = "kind"; kind.textContent = " " + it.kind;
        li.appendChild(a); li.appendChild(kind); hits.appendChild(li);
      });
  }
  fetch("search.json").then(function (r) { return r.json(); })
    .then(function (data) { items = data; }, function () { items = fromPage(); })
    .then(show);
  input.addEventListener("input", show);
})();
