"""Browser libraries served from the npm packages ``make install`` puts in node_modules (no copies, no bundler)."""

from flask import abort, send_from_directory

from engine.config import ROOT

from . import pages

# Which built folder of which package a page may load; package.json pins their versions.
VENDOR = {
    "bootstrap": ROOT / "node_modules" / "bootstrap" / "dist",
    "bpmn-js": ROOT / "node_modules" / "bpmn-js" / "dist",
    "bpmn-js-i18n": ROOT / "node_modules" / "bpmn-js-i18n" / "translations",
    "dmn-js": ROOT / "node_modules" / "dmn-js" / "dist",
    "echarts": ROOT / "node_modules" / "echarts" / "dist",
    "htmx": ROOT / "node_modules" / "htmx.org" / "dist",
}


@pages.get("/vendor/<package>/<path:filename>")
def vendor(package: str, filename: str):
    folder = VENDOR.get(package)
    if folder is None:
        abort(404)
    return send_from_directory(folder, filename, max_age=3600)
