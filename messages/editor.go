package messages

// editorTexts holds the texts of the invoice editor and invoice page of the console.
var editorTexts = map[string][3]string{}
