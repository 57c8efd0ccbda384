package httpapi

import "strings"

// surveyText is the survey page's copy in the languages Parley's email
// speaks; others read English.
var surveyText = map[string]map[string]string{
	"en": {
		"title": "How did we do?", "intro": "Your conversation with %s was resolved.", "comment": "Anything to add? (optional)",
		"submit": "Send", "thanks": "Thank you! Your answer was recorded.",
		"1": "1 · Very unhappy", "2": "2 · Unhappy", "3": "3 · Neutral", "4": "4 · Happy", "5": "5 · Very happy",
		"down": "Thumbs down · Not good", "up": "Thumbs up · Good",
		"err_score": "Choose one of the answers.", "err_comment": "The comment is too long: at most 2000 characters.",
		"not_found":   "This survey link is not valid, has expired, or the conversation was reopened.",
		"unavailable": "We could not load this survey just now. Please try again in a minute.",
	},
	"fr": {
		"title": "Comment s'est passée votre conversation ?", "intro": "Votre conversation avec %s est résolue.", "comment": "Un commentaire ? (facultatif)",
		"submit": "Envoyer", "thanks": "Merci ! Votre réponse est enregistrée.",
		"1": "1 · Très insatisfait", "2": "2 · Insatisfait", "3": "3 · Neutre", "4": "4 · Satisfait", "5": "5 · Très satisfait",
		"down": "Pouce vers le bas · Pas bien", "up": "Pouce vers le haut · Bien",
		"err_score": "Choisissez une des réponses.", "err_comment": "Le commentaire est trop long : 2000 caractères au plus.",
		"not_found":   "Ce lien de questionnaire n'est pas valide, a expiré, ou la conversation a été rouverte.",
		"unavailable": "Impossible de charger ce questionnaire pour l'instant. Réessayez dans une minute.",
	},
	"de": {
		"title": "Wie zufrieden waren Sie?", "intro": "Ihre Unterhaltung mit %s wurde gelöst.", "comment": "Möchten Sie etwas ergänzen? (optional)",
		"submit": "Senden", "thanks": "Vielen Dank! Ihre Antwort wurde gespeichert.",
		"1": "1 · Sehr unzufrieden", "2": "2 · Unzufrieden", "3": "3 · Neutral", "4": "4 · Zufrieden", "5": "5 · Sehr zufrieden",
		"down": "Daumen runter · Nicht gut", "up": "Daumen hoch · Gut",
		"err_score": "Wählen Sie eine der Antworten.", "err_comment": "Der Kommentar ist zu lang: höchstens 2000 Zeichen.",
		"not_found":   "Dieser Umfragelink ist ungültig, abgelaufen, oder die Unterhaltung wurde wieder geöffnet.",
		"unavailable": "Die Umfrage konnte gerade nicht geladen werden. Bitte versuchen Sie es in einer Minute erneut.",
	},
	"es": {
		"title": "¿Qué tal lo hicimos?", "intro": "Tu conversación con %s se ha resuelto.", "comment": "¿Algo que añadir? (opcional)",
		"submit": "Enviar", "thanks": "¡Gracias! Hemos guardado tu respuesta.",
		"1": "1 · Muy insatisfecho", "2": "2 · Insatisfecho", "3": "3 · Neutral", "4": "4 · Satisfecho", "5": "5 · Muy satisfecho",
		"down": "Pulgar abajo · Mal", "up": "Pulgar arriba · Bien",
		"err_score": "Elige una de las respuestas.", "err_comment": "El comentario es demasiado largo: 2000 caracteres como máximo.",
		"not_found":   "Este enlace de encuesta no es válido, ha caducado o la conversación se ha reabierto.",
		"unavailable": "No pudimos cargar esta encuesta ahora. Inténtalo de nuevo en un minuto.",
	},
}

// surveyLocale is the page's language: the locale notify gave, else the
// browser's first Accept-Language that Parley speaks, else English.
func surveyLocale(given, acceptLanguage string) string {
	for _, tag := range append([]string{given}, strings.Split(acceptLanguage, ",")...) {
		base := strings.ToLower(strings.TrimSpace(tag))
		if i := strings.IndexAny(base, "-_;"); i >= 0 {
			base = base[:i]
		}
		if _, ok := surveyText[base]; ok {
			return base
		}
	}
	return "en"
}
