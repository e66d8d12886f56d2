"""CSS of the labeling widgets, injected once per widget through an ``HTML`` child.

All class names start with ``wb-``; :func:`style_widget` returns the ``<style>`` holder.

Examples
--------
>>> "wb-item" in CSS and style_html().startswith("<style>")
True
"""

from __future__ import annotations

__all__ = ["CSS", "style_html", "style_widget"]

CSS = """
.wb-root { max-width: 1040px; width: 100%; font-family: system-ui, -apple-system, "Segoe UI", Roboto,
  "Helvetica Neue", Arial, sans-serif; color: #1f2328; box-sizing: border-box; }
.wb-root .widget-html-content { font-family: inherit; }
.wb-root .widget-html, .wb-root .widget-box, .wb-root .widget-hbox, .wb-root .widget-vbox { margin: 0; }
.wb-root .wb-main:focus, .wb-root .wb-main:focus-visible { outline: none; }
.wb-root .wb-main.ipyevents-watched .wb-header { box-shadow: inset 0 -2px 0 #0969da; }
.wb-header { display: flex; align-items: center; justify-content: space-between; gap: 16px;
  padding: 10px 14px; border-bottom: 1px solid #d0d7de; background: #f6f8fa; border-radius: 8px 8px 0 0; }
.wb-title { font-size: 15px; font-weight: 600; color: #24292f; letter-spacing: .01em; }
.wb-progress-label { font-size: 14px; color: #57606a; font-variant-numeric: tabular-nums; min-width: 84px;
  text-align: right; }
.wb-root .wb-bar { width: 260px; }
.wb-root .wb-bar .progress-bar { background-color: #2da44e; }
.wb-item { padding: 22px 26px; min-height: 140px; max-height: 48vh; overflow-y: auto; background: #ffffff; border-left: 1px solid #d0d7de;
  border-right: 1px solid #d0d7de; }
.wb-text { font-size: 21px; line-height: 1.55; white-space: pre-wrap; overflow-wrap: anywhere; color: #1f2328; }
.wb-mark { background: #fff3b0; padding: 0 2px; border-radius: 3px; }
.wb-pii { display: inline-block; font-size: .72em; font-weight: 600; letter-spacing: .04em; text-transform: uppercase;
  color: #57606a; background: #eaeef2; border-radius: 4px; padding: 0 6px; vertical-align: .12em; }
.wb-masked { margin-top: 8px; font-size: 12px; color: #8c959f; text-align: right; }
.wb-itemid { font-size: 12px; color: #8c959f; margin-bottom: 6px; font-family: ui-monospace, monospace; }
.wb-figure { margin: 0; text-align: center; } .wb-caption { font-size: 14px; color: #57606a; margin-top: 6px; }
.wb-conversation { display: flex; flex-direction: column; gap: 10px; }
.wb-msg { padding: 10px 14px; border-radius: 8px; background: #f6f8fa; }
.wb-msg .wb-text, .wb-response .wb-text { font-size: 17px; }
.wb-role { font-size: 11px; text-transform: uppercase; letter-spacing: .06em; color: #57606a; margin-bottom: 4px; }
.wb-role-assistant { background: #eef6ff; }
.wb-responses { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: 10px; }
.wb-response { padding: 10px 14px; border: 1px solid #d0d7de; border-radius: 8px; }
.wb-options { padding: 10px 14px 6px 14px; border: 1px solid #d0d7de; background: #f6f8fa; gap: 2px; }
.wb-group { align-items: center; flex-wrap: wrap; gap: 2px; }
.wb-group-label { width: 130px; min-width: 130px; font-size: 13px; font-weight: 600; color: #57606a;
  text-transform: uppercase; letter-spacing: .04em; }
.wb-root .wb-option { height: 34px; border-radius: 6px; font-size: 15px; padding: 0 12px; margin: 3px 4px;
  background: #ffffff; border: 1px solid #d0d7de; color: #24292f; box-shadow: 0 1px 0 rgba(31,35,40,.04); }
.wb-root .wb-option:hover, .wb-root .wb-option.wb-cursor { border-color: #0969da; background: #eef6ff; }
.wb-root .wb-option.wb-selected { background: #0969da; color: #ffffff; border-color: #0969da; }
.wb-root .wb-option.wb-other { font-style: italic; }
.wb-definition { padding: 10px 16px; min-height: 64px; border-left: 1px solid #d0d7de; border-right: 1px solid #d0d7de;
  background: #fffdf5; font-size: 14px; line-height: 1.5; color: #24292f; }
.wb-def-name { font-weight: 600; } .wb-def-hint { color: #8c959f; font-style: italic; }
.wb-def-rules { margin: 4px 0 0 0; padding-left: 18px; } .wb-def-rules li { margin: 1px 0; }
.wb-inc { color: #1a7f37; } .wb-exc { color: #cf222e; } .wb-edge { color: #8250df; }
.wb-controls { padding: 8px 12px; border: 1px solid #d0d7de; border-radius: 0 0 8px 8px; background: #f6f8fa;
  align-items: center; gap: 6px; flex-wrap: wrap; }
.wb-root .wb-control { height: 32px; border-radius: 6px; font-size: 14px; margin: 0 2px; }
.wb-root .wb-note { flex: 1 1 300px; min-width: 220px; }
.wb-root .wb-actions { align-items: center; gap: 4px; flex-wrap: wrap; }
.wb-root .wb-actions:focus, .wb-root .wb-actions:focus-visible { outline: none; }
.wb-root .wb-note input { height: 32px; font-size: 14px; border-radius: 6px; }
.wb-root .wb-unsure.mod-active { background: #bf8700; color: #ffffff; }
.wb-status { min-height: 22px; font-size: 13px; color: #57606a; padding: 4px 14px; }
.wb-status .wb-error { color: #cf222e; font-weight: 600; }
.wb-done { padding: 40px 26px; text-align: center; font-size: 22px; color: #1a7f37; }
.wb-done small { display: block; font-size: 14px; color: #57606a; margin-top: 8px; }
.wb-guide { border: 1px solid #d0d7de; padding: 12px 18px; max-height: 640px; overflow-y: auto;
  font-size: 14px; line-height: 1.5; background: #ffffff; border-radius: 8px; margin-top: 6px; }
.wb-guide-frame { width: 100%; height: 480px; border: 1px solid #d0d7de; border-radius: 6px; background: #ffffff; }
.wb-guide h3 { margin: 8px 0 4px 0; font-size: 16px; } .wb-guide h4 { margin: 10px 0 2px 0; font-size: 14px; }
.wb-keys { font-size: 12px; color: #57606a; padding: 2px 14px 8px 14px; }
.wb-keys kbd, .wb-guide kbd, .wb-definition kbd { font-family: ui-monospace, monospace; font-size: 11px; padding: 1px 5px; border: 1px solid #d0d7de;
  border-bottom-width: 2px; border-radius: 4px; background: #ffffff; color: #24292f; }
.wb-login { padding: 40px; max-width: 520px; margin: 40px auto; border: 1px solid #d0d7de; border-radius: 10px;
  background: #f6f8fa; font-family: system-ui, sans-serif; }
.wb-login h2 { margin: 0 0 8px 0; font-size: 22px; }
"""


def style_html() -> str:
    """The ``<style>`` element holding :data:`CSS`.

    Examples
    --------
    >>> style_html().endswith("</style>")
    True
    """
    return f"<style>{CSS}</style>"


def style_widget():
    """An invisible ``ipywidgets.HTML`` carrying the CSS (put it first in the widget's children).

    Examples
    --------
    >>> style_widget().value.startswith("<style>")
    True
    """
    import ipywidgets as widgets

    return widgets.HTML(style_html(), layout=widgets.Layout(display="none"))
