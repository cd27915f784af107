/** The contact as the contacts tools return it. */
import { Schema } from "effect"

export const Contact = Schema.Struct({
  jid: Schema.String.annotations({ description: "Canonical JID: the phone JID when known, else the LID." }),
  name: Schema.String.annotations({
    description:
      "Best known name: address-book name, then business name, then push name, then the phone number.",
  }),
  phone_number: Schema.NullOr(Schema.String),
  lid: Schema.NullOr(Schema.String),
  address_book_name: Schema.NullOr(Schema.String),
  push_name: Schema.NullOr(Schema.String),
  business_name: Schema.NullOr(Schema.String),
  is_business: Schema.Boolean,
})
export type Contact = typeof Contact.Type
