// Package examples holds runnable host applications that mount scimkit.
package examples
