// Posts the signed lesson list back to the LMS; the visible button does the same without JavaScript.
document.getElementById('lti-autopost').submit();
