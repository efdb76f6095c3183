package messages

// settingsTexts holds the texts of the settings forms of the console (approval, tax groups, custom fields).
var settingsTexts = map[string][3]string{}
