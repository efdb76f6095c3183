package messages

// portalTexts holds the texts of the portal on phones and the lists' pagers.
var portalTexts = map[string][3]string{}
