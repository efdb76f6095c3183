package messages

// salesItemTexts holds the texts of the sales items pages, imports and billing-run progress.
var salesItemTexts = map[string][3]string{}
