"""CSS of the labeling widgets, injected once per widget through an ``HTML`` child.

All class names start with ``wb-``; :func:`style_widget` returns the ``<style>`` holder.
:data:`CSS` styles every screen; :data:`REVIEW_CSS` adds what the raters, the adjudicator,
the quiz and the taggers need (answer rows, rationale, votes, feedback, tokens, boxes).

Examples
--------
>>> "wb-item" in CSS and style_html().startswith("<style>")
True
>>> "wb-rationale" in style_html(REVIEW_CSS), N_TAG_COLORS
(True, 8)
"""

from __future__ import annotations

__all__ = ["CSS", "REVIEW_CSS", "N_TAG_COLORS", "style_html", "style_widget"]

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
.wb-done.wb-empty { color: #57606a; }
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
.wb-login .wb-error { color: #cf222e; }
.wb-login h2 { margin: 0 0 8px 0; font-size: 22px; }
"""


#: Background and border colour of each tag class ``wb-tag-0`` ... ``wb-tag-7`` (span and box labels).
_TAG_COLORS = [("#ddf4ff", "#0969da"), ("#dafbe1", "#1a7f37"), ("#fbefff", "#8250df"), ("#fff8c5", "#9a6700"),
               ("#ffebe9", "#cf222e"), ("#ffeff7", "#bf3989"), ("#e6fffa", "#0f766e"), ("#f6f8fa", "#57606a")]
N_TAG_COLORS = len(_TAG_COLORS)

#: CSS of the raters, adjudicator, quiz and taggers (on top of :data:`CSS`).
REVIEW_CSS = """
.wb-answer { padding: 10px 14px; border: 1px solid #d0d7de; background: #f6f8fa; gap: 4px; }
.wb-answer-row { align-items: center; flex-wrap: wrap; gap: 2px; }
.wb-answer-label { width: 150px; min-width: 150px; font-size: 13px; font-weight: 600; color: #57606a;
  text-transform: uppercase; letter-spacing: .04em; }
.wb-answer-hint { font-size: 13px; color: #57606a; }
.wb-root .wb-rationale { width: 100%; }
.wb-root .wb-rationale textarea { font-size: 14px; border-radius: 6px; min-height: 56px; font-family: inherit; }
.wb-rationale-box { padding: 8px 12px 0 12px; border-left: 1px solid #d0d7de; border-right: 1px solid #d0d7de; }
.wb-rationale-box.wb-missing textarea { border-color: #cf222e; box-shadow: 0 0 0 2px rgba(207,34,46,.2); }
.wb-root .wb-option.wb-rank { background: #ddf4ff; border-color: #0969da; }
.wb-root .wb-option.wb-voted { border-color: #8250df; box-shadow: inset 0 -3px 0 #8250df; }
.wb-root .wb-option.wb-right { background: #1a7f37; color: #fff; border-color: #1a7f37; }
.wb-root .wb-option.wb-wrong { background: #cf222e; color: #fff; border-color: #cf222e; }
.wb-response.wb-chosen { border: 2px solid #0969da; background: #f5faff; }
.wb-response.wb-tied { border: 2px dashed #bf8700; }
.wb-role kbd, .wb-answer-hint kbd, .wb-feedback kbd { font-family: ui-monospace, monospace; font-size: 11px;
  padding: 0 5px; border: 1px solid #d0d7de; border-bottom-width: 2px; border-radius: 4px; background: #fff;
  color: #24292f; text-transform: none; }
.wb-feedback-box { border-left: 1px solid #d0d7de; border-right: 1px solid #d0d7de; background: #fff; }
.wb-root .wb-next { align-self: flex-start; margin: 0 16px 10px 16px; height: 32px; border-radius: 6px; }
.wb-rank-badge { float: right; font-size: 12px; font-weight: 700; color: #fff; background: #0969da;
  border-radius: 10px; padding: 1px 8px; }
.wb-votes { padding: 10px 16px; border-left: 1px solid #d0d7de; border-right: 1px solid #d0d7de; background: #fbf8ff; }
.wb-votes table { border-collapse: collapse; font-size: 14px; width: 100%; }
.wb-votes th { text-align: left; font-size: 12px; color: #57606a; text-transform: uppercase; letter-spacing: .04em;
  padding: 2px 10px 4px 0; }
.wb-votes td { padding: 3px 10px 3px 0; border-top: 1px solid #eaeef2; vertical-align: top; }
.wb-unsure-flag { color: #bf8700; font-weight: 600; }
.wb-feedback { padding: 12px 16px; font-size: 15px; line-height: 1.5; border-left: 1px solid #d0d7de;
  border-right: 1px solid #d0d7de; }
.wb-feedback.wb-ok { background: #dafbe1; } .wb-feedback.wb-ko { background: #ffebe9; }
.wb-feedback .wb-verdict { font-size: 18px; font-weight: 700; }
.wb-feedback .wb-rule { margin-top: 6px; color: #24292f; }
.wb-tokens { display: flex; flex-wrap: wrap; gap: 2px 0; padding: 0; background: #fff; border: none; }
.wb-root .wb-token { height: 30px; font-size: 18px; padding: 0 4px; margin: 1px 1px; border: 1px solid transparent;
  background: transparent; border-radius: 4px; color: #1f2328; box-shadow: none; }
.wb-root .wb-break { flex-basis: 100%; height: 6px; }
.wb-root .wb-token:hover { border-color: #0969da; }
.wb-root .wb-token.wb-pick { background: #fff3b0; border-color: #bf8700; }
.wb-chips { flex-wrap: wrap; gap: 4px; align-items: center; min-height: 34px; }
.wb-root .wb-chip { height: 28px; font-size: 13px; border-radius: 14px; margin: 2px 3px; }
.wb-canvas { position: relative; display: inline-block; line-height: 0; cursor: crosshair; }
.wb-canvas img { display: block; image-rendering: pixelated; user-select: none; -webkit-user-drag: none; }
.wb-bbox { position: absolute; border: 2px solid; box-sizing: border-box; pointer-events: none; }
.wb-bbox span { position: absolute; left: -2px; top: -20px; font: 600 12px/18px system-ui, sans-serif;
  color: #fff; padding: 0 5px; border-radius: 3px 3px 0 0; white-space: nowrap; }
.wb-corner { position: absolute; width: 10px; height: 10px; margin: -5px 0 0 -5px; border-radius: 5px;
  background: #bf8700; pointer-events: none; }
.wb-root .wb-image-box { padding: 0; background: #fff; border: none; }
.wb-root .wb-item.wb-item-image { max-height: none; }
""" + "".join(
    f".wb-root .wb-tag-{i} {{ background: {bg}; border-color: {fg}; }} .wb-root .wb-option.wb-tag-{i} {{ border-left: 6px solid {fg}; }}"
    f" .wb-bbox.wb-tag-{i} {{ border-color: {fg}; background: transparent; }} .wb-bbox.wb-tag-{i} span {{ background: {fg}; }}\n"
    for i, (bg, fg) in enumerate(_TAG_COLORS))


def style_html(css: str = CSS) -> str:
    """The ``<style>`` element holding ``css`` (default :data:`CSS`).

    Examples
    --------
    >>> style_html().endswith("</style>")
    True
    """
    return f"<style>{css}</style>"


def style_widget(css: str = CSS):
    """An invisible ``ipywidgets.HTML`` carrying ``css`` (put it first in the widget's children).

    Examples
    --------
    >>> style_widget().value.startswith("<style>")
    True
    """
    import ipywidgets as widgets

    return widgets.HTML(style_html(css), layout=widgets.Layout(display="none"))
