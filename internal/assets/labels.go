package assets

import (
	"bytes"
	"encoding/base64"
	"html/template"
	"image/png"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/qr"
)

// QR labels (docs/domain/assets.md §Stocktake): each card's label carries its 资产编号 as a QR code (error correction
// M, which survives a scuffed sticker) beside the number in print, so a phone scans it and a person can type it.
// The code is the number alone, no URL: a label stays valid whatever the server's address. The QR library is
// github.com/boombuler/barcode (pure Go), the one the identity kit's TOTP enrolment already uses.

// qrPixels is the printed size of a label's code in pixels (the page sizes it in millimetres).
const qrPixels = 164

// Label is one printed asset label.
type Label struct {
	Code, Name, OrgName, Location, AcquiredOn string
	QR                                        template.URL // a data: URL of the PNG
}

// qrPNG renders text as a QR code PNG of about size pixels.
func qrPNG(text string, size int) ([]byte, error) {
	bc, err := qr.Encode(text, qr.M, qr.Auto)
	if err != nil {
		return nil, err
	}
	// Scale by a whole number of pixels per module so every module prints crisp.
	n := bc.Bounds().Dx()
	side := max(n, size/n*n)
	if bc, err = barcode.Scale(bc, side, side); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, bc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// labelOf makes the label of a card.
func labelOf(a Asset) (Label, error) {
	b, err := qrPNG(a.Code, qrPixels)
	if err != nil {
		return Label{}, err
	}
	return Label{Code: a.Code, Name: a.Name, OrgName: a.OrgName, Location: a.Location, AcquiredOn: a.AcquiredOn,
		QR: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(b))}, nil
}
