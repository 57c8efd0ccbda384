package domain

import "strings"

// Locales are the languages email is written in; others fall back to English.
var Locales = []string{"en", "fr", "de", "es"}

// Locale picks the language of a BCP 47 tag ("fr-CA" is French).
func Locale(tag string) string {
	base := strings.ToLower(strings.TrimSpace(tag))
	if i := strings.IndexAny(base, "-_"); i >= 0 {
		base = base[:i]
	}
	if _, ok := catalog[base]; ok {
		return base
	}
	return "en"
}

// T is a string of the catalog in a language, English when it is missing.
func T(locale, key string) string {
	if s, ok := catalog[Locale(locale)][key]; ok {
		return s
	}
	return catalog["en"][key]
}

var catalog = map[string]map[string]string{
	"en": {
		"greeting":           "Hello %s,",
		"greeting_anonymous": "Hello,",
		"footer":             "Sent by Parley on behalf of %s.",
		"invite_subject":     "%s invited you to %s",
		"invite_body":        "%s invited you to join %s on Parley as %s.",
		"invite_button":      "Accept the invitation",
		"invite_expires":     "The invitation expires on %s.",
		"reset_subject":      "Reset your Parley password",
		"reset_body":         "Someone asked to reset the password of %s. If it was you, choose a new password:",
		"reset_button":       "Choose a new password",
		"reset_expires":      "The link works once, until %s.",
		"reset_ignore":       "If you did not ask for this, ignore this email: your password stays as it is.",
		"change_subject":     "Confirm your new email address",
		"change_body":        "Confirm that %s is the email address of your Parley account:",
		"change_button":      "Confirm this address",
		"change_ignore":      "If you did not ask for this, ignore this email: nothing changes.",
		"reply_subject":      "New reply from %s",
		"reply_body":         "%s answered your message:",
		"reply_button":       "Continue the conversation",
		"reply_hint":         "You can also simply reply to this email.",
		"transcript_subject": "Your conversation with %s",
		"transcript_body":    "Here is your conversation with %s, as you asked.",
		"transcript_cut":     "Only its latest messages fit in one email.",
		"unsubscribe":        "Unsubscribe from these emails",
		"digest_subject_one": "A conversation is waiting in %s",
		"digest_subject":     "%d conversations are waiting in %s",
		"digest_body":        "While you were away from the inbox:",
		"digest_assigned":    "assigned to you",
		"digest_queued":      "waiting for an agent",
		"digest_button":      "Open the inbox",
		"digest_why":         "You get this because you had no dashboard open. Turn these emails off in your profile.",
		"visitor":            "Visitor",
		"you":                "You",
	},
	"fr": {
		"greeting":           "Bonjour %s,",
		"greeting_anonymous": "Bonjour,",
		"footer":             "Envoyé par Parley pour %s.",
		"invite_subject":     "%s vous invite à rejoindre %s",
		"invite_body":        "%s vous invite à rejoindre %s sur Parley en tant que %s.",
		"invite_button":      "Accepter l'invitation",
		"invite_expires":     "L'invitation expire le %s.",
		"reset_subject":      "Réinitialisez votre mot de passe Parley",
		"reset_body":         "Quelqu'un a demandé à réinitialiser le mot de passe de %s. Si c'est vous, choisissez un nouveau mot de passe :",
		"reset_button":       "Choisir un nouveau mot de passe",
		"reset_expires":      "Le lien ne sert qu'une fois, jusqu'au %s.",
		"reset_ignore":       "Si vous n'avez rien demandé, ignorez cet e-mail : votre mot de passe reste le même.",
		"change_subject":     "Confirmez votre nouvelle adresse e-mail",
		"change_body":        "Confirmez que %s est l'adresse e-mail de votre compte Parley :",
		"change_button":      "Confirmer cette adresse",
		"change_ignore":      "Si vous n'avez rien demandé, ignorez cet e-mail : rien ne change.",
		"reply_subject":      "Nouvelle réponse de %s",
		"reply_body":         "%s a répondu à votre message :",
		"reply_button":       "Reprendre la conversation",
		"reply_hint":         "Vous pouvez aussi répondre directement à cet e-mail.",
		"transcript_subject": "Votre conversation avec %s",
		"transcript_body":    "Voici votre conversation avec %s, comme demandé.",
		"transcript_cut":     "Seuls ses derniers messages tiennent dans un e-mail.",
		"unsubscribe":        "Ne plus recevoir ces e-mails",
		"digest_subject_one": "Une conversation attend dans %s",
		"digest_subject":     "%d conversations attendent dans %s",
		"digest_body":        "Pendant votre absence de la boîte de réception :",
		"digest_assigned":    "vous est attribuée",
		"digest_queued":      "attend un agent",
		"digest_button":      "Ouvrir la boîte de réception",
		"digest_why":         "Vous recevez ceci car aucun tableau de bord n'était ouvert. Désactivez ces e-mails dans votre profil.",
		"visitor":            "Visiteur",
		"you":                "Vous",
	},
	"de": {
		"greeting":           "Hallo %s,",
		"greeting_anonymous": "Hallo,",
		"footer":             "Gesendet von Parley im Auftrag von %s.",
		"invite_subject":     "%s hat Sie zu %s eingeladen",
		"invite_body":        "%s hat Sie eingeladen, %s auf Parley als %s beizutreten.",
		"invite_button":      "Einladung annehmen",
		"invite_expires":     "Die Einladung läuft am %s ab.",
		"reset_subject":      "Setzen Sie Ihr Parley-Passwort zurück",
		"reset_body":         "Jemand möchte das Passwort von %s zurücksetzen. Wenn Sie das waren, wählen Sie ein neues Passwort:",
		"reset_button":       "Neues Passwort wählen",
		"reset_expires":      "Der Link funktioniert einmal, bis %s.",
		"reset_ignore":       "Wenn Sie das nicht angefordert haben, ignorieren Sie diese E-Mail: Ihr Passwort bleibt unverändert.",
		"change_subject":     "Bestätigen Sie Ihre neue E-Mail-Adresse",
		"change_body":        "Bestätigen Sie, dass %s die E-Mail-Adresse Ihres Parley-Kontos ist:",
		"change_button":      "Adresse bestätigen",
		"change_ignore":      "Wenn Sie das nicht angefordert haben, ignorieren Sie diese E-Mail: Es ändert sich nichts.",
		"reply_subject":      "Neue Antwort von %s",
		"reply_body":         "%s hat auf Ihre Nachricht geantwortet:",
		"reply_button":       "Unterhaltung fortsetzen",
		"reply_hint":         "Sie können auch einfach auf diese E-Mail antworten.",
		"transcript_subject": "Ihre Unterhaltung mit %s",
		"transcript_body":    "Hier ist Ihre Unterhaltung mit %s, wie gewünscht.",
		"transcript_cut":     "Nur die neuesten Nachrichten passen in eine E-Mail.",
		"unsubscribe":        "Diese E-Mails abbestellen",
		"digest_subject_one": "Eine Unterhaltung wartet in %s",
		"digest_subject":     "%d Unterhaltungen warten in %s",
		"digest_body":        "Während Sie nicht im Posteingang waren:",
		"digest_assigned":    "Ihnen zugewiesen",
		"digest_queued":      "wartet auf einen Agenten",
		"digest_button":      "Posteingang öffnen",
		"digest_why":         "Sie erhalten dies, weil kein Dashboard geöffnet war. Schalten Sie diese E-Mails in Ihrem Profil aus.",
		"visitor":            "Besucher",
		"you":                "Sie",
	},
	"es": {
		"greeting":           "Hola %s:",
		"greeting_anonymous": "Hola:",
		"footer":             "Enviado por Parley en nombre de %s.",
		"invite_subject":     "%s te ha invitado a %s",
		"invite_body":        "%s te ha invitado a unirte a %s en Parley como %s.",
		"invite_button":      "Aceptar la invitación",
		"invite_expires":     "La invitación caduca el %s.",
		"reset_subject":      "Restablece tu contraseña de Parley",
		"reset_body":         "Alguien ha pedido restablecer la contraseña de %s. Si has sido tú, elige una nueva contraseña:",
		"reset_button":       "Elegir una nueva contraseña",
		"reset_expires":      "El enlace sirve una sola vez, hasta el %s.",
		"reset_ignore":       "Si no lo has pedido, ignora este correo: tu contraseña no cambia.",
		"change_subject":     "Confirma tu nueva dirección de correo",
		"change_body":        "Confirma que %s es la dirección de correo de tu cuenta de Parley:",
		"change_button":      "Confirmar esta dirección",
		"change_ignore":      "Si no lo has pedido, ignora este correo: nada cambia.",
		"reply_subject":      "Nueva respuesta de %s",
		"reply_body":         "%s ha respondido a tu mensaje:",
		"reply_button":       "Continuar la conversación",
		"reply_hint":         "También puedes responder directamente a este correo.",
		"transcript_subject": "Tu conversación con %s",
		"transcript_body":    "Aquí tienes tu conversación con %s, como pediste.",
		"transcript_cut":     "Solo sus últimos mensajes caben en un correo.",
		"unsubscribe":        "Darse de baja de estos correos",
		"digest_subject_one": "Una conversación espera en %s",
		"digest_subject":     "%d conversaciones esperan en %s",
		"digest_body":        "Mientras no estabas en la bandeja de entrada:",
		"digest_assigned":    "asignada a ti",
		"digest_queued":      "espera a un agente",
		"digest_button":      "Abrir la bandeja de entrada",
		"digest_why":         "Recibes esto porque no tenías ningún panel abierto. Desactiva estos correos en tu perfil.",
		"visitor":            "Visitante",
		"you":                "Tú",
	},
}
