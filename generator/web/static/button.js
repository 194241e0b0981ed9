// zhibu serve only: adds 编辑 (record pages) or 新建 (collection pages) to a preview page.
(() => {
  const base = document.currentScript.src.replace(/static\/button\.js.*$/, "");
  const mount = new URL(base).pathname.replace(/_zhibu\/edit\/$/, "");
  const page = decodeURIComponent(location.pathname).slice(mount.length);
  fetch(`${base}api/locate?page=${encodeURIComponent(page)}`, { credentials: "same-origin" })
    .then((response) => (response.ok ? response.json() : {}))
    .then((found) => {
      if (!found.file && !found.collection) return;
      const link = document.createElement("a");
      link.id = "zhibu-edit";
      link.href = found.file ? `${base}?file=${encodeURIComponent(found.file)}` : `${base}?new=${found.collection}`;
      link.textContent = found.file ? "编辑" : "新建";
      link.title = found.file ? "用表单修改这条记录" : "用表单新建一条记录";
      link.style.cssText =
        "position:fixed;right:1.2em;bottom:1.2em;z-index:1000;background:#c62828;color:#fff;" +
        "padding:.5em 1.2em;border-radius:2em;font:600 15px/1.5 sans-serif;box-shadow:0 2px 6px #0004";
      document.body.appendChild(link);
    })
    .catch(() => {});
})();
