// The launcher's CSS, applied inside its shadow root so neither the host's
// styles nor ours leak across.
export const css = `:host{all:initial}
.w{position:fixed;z-index:2147483000;bottom:20px;right:20px;font:600 15px/1.3 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
.w.l{right:auto;left:20px}
.lc{position:relative;display:flex;align-items:center;gap:8px;height:56px;min-width:56px;padding:0 15px;border:0;border-radius:28px;background:var(--c);color:var(--f);cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.28);font:inherit}
.lc:focus-visible,.bb button:focus-visible{outline:3px solid #111;outline-offset:2px;box-shadow:0 0 0 5px #fff}
.lc svg{width:26px;height:26px;fill:currentColor;flex:none}
.lc i{display:none;width:26px;font:400 32px/26px system-ui,sans-serif;font-style:normal;text-align:center}
.o .lc i{display:block}.o .lc>:not(i){display:none}
.bd{position:absolute;top:-5px;right:-5px;min-width:20px;height:20px;padding:0 5px;box-sizing:border-box;border-radius:10px;background:#b91c1c;color:#fff;font-size:12px;line-height:20px;text-align:center}
.bb,.fr{position:absolute;bottom:72px;right:0}
.l .bb,.l .fr{right:auto;left:0}
.bb{width:max-content;max-width:260px;padding:12px 38px 12px 14px;border-radius:14px;background:#fff;color:#111;font-weight:400;box-shadow:0 6px 24px rgba(0,0,0,.2);cursor:pointer}
.bb button{position:absolute;top:6px;right:6px;width:26px;height:26px;border:0;border-radius:13px;background:transparent;color:inherit;font:20px/1 system-ui,sans-serif;cursor:pointer}
.fr{width:380px;height:min(640px,calc(100vh - 100px));border-radius:16px;overflow:hidden;background:#fff;box-shadow:0 8px 32px rgba(0,0,0,.3)}
.fr iframe{display:block;width:100%;height:100%;border:0}
.d .bb,.d .fr{background:#1f2937;color:#f9fafb}
@media (prefers-color-scheme:dark){.a .bb,.a .fr{background:#1f2937;color:#f9fafb}}
@media (max-width:480px),(max-height:520px){.o .fr{position:fixed;inset:0;width:100%;height:100%;border-radius:0}.o .lc{display:none}}
[hidden]{display:none!important}`
