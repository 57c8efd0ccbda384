package inbound

import "testing"

// Replies as the common clients write them, in the four languages Parley
// speaks. want is what the visitor typed.
func TestReplyText(t *testing.T) {
	cases := []struct{ name, body, want string }{
		{"gmail en", "Yes, Thursday works for me.\r\n\r\nOn Tue, Dec 1, 2026 at 10:04 AM Acme Support <reply+abc@in.parley.test> wrote:\r\n\r\n> Would Thursday at 3 pm suit you?\r\n>\r\n> Anna, Acme\r\n",
			"Yes, Thursday works for me."},
		{"gmail en, attribution wrapped", "Thanks, that fixed it!\n\nOn Tue, Dec 1, 2026 at 10:04 AM Acme Customer Support Team <\nreply+abcdefghijklmnop@in.parley.test> wrote:\n\n> Try clearing the cache.\n",
			"Thanks, that fixed it!"},
		{"gmail fr", "Parfait, merci beaucoup.\n\nLe mar. 1 déc. 2026 à 10:04, Acme Support <reply+abc@in.parley.test> a\u00a0écrit\u00a0:\n\n> Votre commande est partie ce matin.\n",
			"Parfait, merci beaucoup."},
		{"gmail de", "Danke, das hat geholfen.\n\nAm Di., 1. Dez. 2026 um 10:04 Uhr schrieb Acme Support <\nreply+abc@in.parley.test>:\n\n> Bitte starten Sie das Gerät neu.\n",
			"Danke, das hat geholfen."},
		{"gmail es", "Sí, el jueves me va bien.\n\nEl mar, 1 dic 2026 a las 10:04, Acme Support (<reply+abc@in.parley.test>)\nescribió:\n\n> ¿Le viene bien el jueves?\n",
			"Sí, el jueves me va bien."},
		{"apple mail en with iPhone signature", "Perfect, see you then.\n\nSent from my iPhone\n\n> On Dec 1, 2026, at 10:04, Acme Support <reply+abc@in.parley.test> wrote:\n> \n> See you Thursday.\n",
			"Perfect, see you then."},
		{"apple mail fr", "D'accord.\n\nEnvoyé de mon iPhone\n\n> Le 1 déc. 2026 à 10:04, Acme Support <reply+abc@in.parley.test> a écrit :\n>\n> Votre rendez-vous est confirmé.\n",
			"D'accord."},
		{"apple mail de", "Alles klar, danke!\n\nVon meinem iPhone gesendet\n\n> Am 01.12.2026 um 10:04 schrieb Acme Support <reply+abc@in.parley.test>:\n>\n> Ihr Paket ist unterwegs.\n",
			"Alles klar, danke!"},
		{"apple mail es", "Gracias.\n\nEnviado desde mi iPhone\n\n> El 1 dic 2026, a las 10:04, Acme Support <reply+abc@in.parley.test> escribió:\n>\n> Su pedido ha salido.\n",
			"Gracias."},
		{"apple mail desktop, no signature", "Works now.\n\n> On 1 Dec 2026, at 10:04, Acme Support <reply+abc@in.parley.test> wrote:\n>\n> Please update the app.\n\n",
			"Works now."},
		{"thunderbird en, with signature", "The invoice number is 4711.\n\n-- \nJane Doe\nDoe & Sons Ltd\n\nOn 12/1/26 10:04 AM, Acme Support wrote:\n> Which invoice do you mean?\n",
			"The invoice number is 4711."},
		{"thunderbird de", "Die Rechnungsnummer ist 4711.\n\nAm 01.12.26 um 10:04 schrieb Acme Support:\n> Welche Rechnung meinen Sie?\n",
			"Die Rechnungsnummer ist 4711."},
		{"outlook desktop en", "I still get the error.\r\n\r\nRegards,\r\nJohn\r\n\r\nFrom: Acme Support <reply+abc@in.parley.test>\r\nSent: Tuesday, December 1, 2026 10:04 AM\r\nTo: John Smith <john@example.com>\r\nSubject: Re: Login problem\r\n\r\nDid the reset work?\r\n",
			"I still get the error.\n\nRegards,\nJohn"},
		{"outlook web en, underscore line", "Please call me back.\n\n________________________________\nFrom: Acme Support <reply+abc@in.parley.test>\nSent: Tuesday, December 1, 2026 10:04\nTo: john@example.com\nSubject: Your question\n\nWe tried to reach you.\n",
			"Please call me back."},
		{"outlook fr", "Merci, c'est réglé.\n\nDe : Acme Support <reply+abc@in.parley.test>\nEnvoyé : mardi 1 décembre 2026 10:04\nÀ : Marie <marie@example.fr>\nObjet : Re: Commande\n\nVotre commande est partie.\n",
			"Merci, c'est réglé."},
		{"outlook de", "Danke für die schnelle Hilfe.\n\nVon: Acme Support <reply+abc@in.parley.test>\nGesendet: Dienstag, 1. Dezember 2026 10:04\nAn: Max <max@example.de>\nBetreff: AW: Bestellung\n\nIhr Paket ist unterwegs.\n",
			"Danke für die schnelle Hilfe."},
		{"outlook es", "Perfecto.\n\nDe: Acme Support <reply+abc@in.parley.test>\nEnviado: martes, 1 de diciembre de 2026 10:04\nPara: Juan <juan@example.es>\nAsunto: RE: Pedido\n\nSu pedido ha salido.\n",
			"Perfecto."},
		{"outlook original message separator", "Yes please.\n\n-----Original Message-----\nFrom: Acme Support\nSent: Tuesday\n\nShall we cancel it?\n",
			"Yes please."},
		{"outlook de separator", "Ja bitte.\n\n-----Ursprüngliche Nachricht-----\nVon: Acme Support\n\nSollen wir stornieren?\n",
			"Ja bitte."},
		{"outlook mobile", "On my way.\n\nGet Outlook for Android\n\nFrom: Acme Support <reply+abc@in.parley.test>\nSent: Tuesday, December 1, 2026 10:04:00 AM\nTo: you@example.com\n",
			"On my way."},
		{"inline answers between quotes", "On Tue, Dec 1, 2026 at 10:04 AM Acme Support <reply+abc@in.parley.test> wrote:\n> What is your order number?\n\n12345\n\n> And your postcode?\n\nSW1A 1AA\n",
			"12345\n\nSW1A 1AA"},
		{"html rendered gmail quote", "Sounds good\n\nOn Tue, Dec 1, 2026 at 10:04 AM Acme <reply+abc@in.parley.test> wrote:\n> Shall we ship tomorrow?\n",
			"Sounds good"},
		{"several paragraphs kept", "First line.\nSecond line.\n\n\n\nNew paragraph.\n",
			"First line.\nSecond line.\n\nNew paragraph."},
		{"mentions wrote mid-sentence", "I wrote: the order is wrong.\nPlease check.\n",
			"I wrote: the order is wrong.\nPlease check."},
		{"from in a sentence", "From: my side everything is fine.\n",
			"From: my side everything is fine."},
		{"only quoted history", "On Tue, Dec 1, 2026 at 10:04 AM Acme <reply+abc@in.parley.test> wrote:\n> Anything else?\n",
			""},
		{"only a signature", "\n-- \nJane Doe\n", ""},
		{"signature without its trailing space", "Thanks\n--\nJane\n", "Thanks"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := replyText(tc.body); got != tc.want {
				t.Fatalf("replyText:\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

// HTML-only replies go through htmlToText first; their quotes must still
// be found.
func TestReplyTextOfHTML(t *testing.T) {
	cases := []struct{ name, html, want string }{
		{"outlook web", `<html><body><div style="font-family:Calibri">Sure, go ahead.</div><div>Kind regards,<br>John</div>` +
			`<hr style="display:inline-block;width:98%"><div id="divRplyFwdMsg" dir="ltr"><font face="Calibri"><b>From:</b> Acme Support &lt;reply+abc@in.parley.test&gt;<br>` +
			`<b>Sent:</b> Tuesday, December 1, 2026 10:04 AM<br><b>To:</b> John &lt;john@example.com&gt;<br><b>Subject:</b> Refund</font><div>&nbsp;</div></div>` +
			`<div>Shall we refund the order?</div></body></html>`,
			"Sure, go ahead.\nKind regards,\nJohn"},
		{"apple mail fr", `<html><body dir="auto">Oui, merci.<br><br><div dir="ltr">Envoyé de mon iPhone</div><div dir="ltr"><br><blockquote type="cite">Le 1 déc. 2026 à 10:04, Acme &lt;reply+abc@in.parley.test&gt; a écrit&nbsp;:<br><br></blockquote></div>` +
			`<blockquote type="cite"><div dir="ltr">Confirmez-vous ?</div></blockquote></body></html>`,
			"Oui, merci."},
		{"gmail de", `<div dir="ltr">Passt, danke!</div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">Am Di., 1. Dez. 2026 um 10:04 Uhr schrieb Acme &lt;<a href="mailto:reply+abc@in.parley.test">reply+abc@in.parley.test</a>&gt;:<br></div>` +
			`<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex"><div>Passt Ihnen Donnerstag?</div></blockquote></div>`,
			"Passt, danke!"},
		{"gmail es", `<div dir="ltr">Vale.<div><br></div><div>Un saludo</div></div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">El mar, 1 dic 2026 a las 10:04, Acme (&lt;reply+abc@in.parley.test&gt;) escribió:<br></div><blockquote class="gmail_quote"><div>¿Le parece bien?</div></blockquote></div>`,
			"Vale.\n\nUn saludo"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := replyText(htmlToText(tc.html)); got != tc.want {
				t.Fatalf("got %q\nwant %q\n(text was %q)", got, tc.want, htmlToText(tc.html))
			}
		})
	}
}
