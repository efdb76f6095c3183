package messages

// customerTexts holds the texts of the customer forms of the console.
var customerTexts = map[string][3]string{}
