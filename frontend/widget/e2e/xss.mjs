// The XSS corpus (W2): fed to the panel in unit tests and, through the real
// API, in the browser tests.
export const corpus = [
  '<script>alert("xss-script")</script>',
  '<img src=x onerror=alert("xss-img")>',
  '<svg onload=alert("xss-svg")><circle r=10></circle></svg>',
  '<svg><script>alert("xss-svg-script")</script></svg>',
  '<a href="javascript:alert(\'xss-link\')">click me</a>',
  'javascript:alert("xss-bare")',
  '[click here](javascript:alert("xss-md"))',
  '![img](x" onerror="alert(\'xss-md-img\'))',
  '<iframe src="javascript:alert(\'xss-iframe\')"></iframe>',
  '"><img src=x onerror=alert(1)>',
  '<details open ontoggle=alert("xss-details")>',
  '{{constructor.constructor("alert(1)")()}}',
  'https://ok.example/path?q=<b>bold</b>',
]
