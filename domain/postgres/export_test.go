package postgres

// LoadCheckoutSQL lets the plan test read the checkout query.
const LoadCheckoutSQL = loadCheckout
