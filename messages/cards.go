package messages

// cardTexts holds the texts of card entry in the portal (Stripe Elements and the test provider).
var cardTexts = map[string][3]string{}
