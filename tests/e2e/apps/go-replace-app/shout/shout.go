// Package shout lives next to the app and is used through a local `replace` directive.
package shout

import "strings"

// Shout upper-cases s.
func Shout(s string) string { return strings.ToUpper(s) }
