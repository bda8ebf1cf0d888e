"""Recognition (荣誉表彰): colleagues' kudos and the honour of the month."""
