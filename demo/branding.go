package demo

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/service"
)

// seedBranding gives the demo tenant's documents a logo, colours, a bank
// account and payment instructions in the three languages.
func seedBranding(ctx context.Context, svc *service.Service, p access.Principal) error {
	_, err := svc.UpdateBranding(ctx, p, service.BrandingPatch{
		PrimaryColor: ptr("#1F4E79"), AccentColor: ptr("#D9E2F3"),
		IBAN: ptr("ES91 2100 0418 4502 0005 1332"), BIC: ptr("CAIXESBBXXX"),
		Email: ptr("billing@nimbus-cloud.example"), Phone: ptr("+34 910 000 000"),
		PaymentInstructions: ptr("Bank transfer to the IBAN above, quoting the invoice number.\n" +
			"Transferencia bancaria al IBAN indicado, citando el número de factura.\n" +
			"Transferência bancária para o IBAN indicado, citando o número da fatura."),
	})
	if err != nil {
		return err
	}
	_, err = svc.SetLogo(ctx, p, logoPNG())
	return err
}

// logoPNG draws the demo logo: a cloud of three discs on a blue band.
func logoPNG() []byte {
	const w, h = 240, 80
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	blue := color.RGBA{0x1F, 0x4E, 0x79, 0xFF}
	light := color.RGBA{0xD9, 0xE2, 0xF3, 0xFF}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, blue)
		}
	}
	discs := [][3]int{{60, 48, 22}, {95, 36, 28}, {130, 48, 22}}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			for _, d := range discs {
				if dx, dy := x-d[0], y-d[1]; dx*dx+dy*dy <= d[2]*d[2] {
					img.Set(x, y, light)
				}
			}
			if y >= 48 && y < 70 && x >= 60 && x < 130 {
				img.Set(x, y, light)
			}
		}
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img) // an in-memory RGBA image always encodes
	return b.Bytes()
}
